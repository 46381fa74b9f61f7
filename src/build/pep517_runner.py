"""pinwheel's PEP 517 hook runner: loads a build backend and calls one of its hooks.

pinwheel runs it as `python -I -S -u pep517_runner.py REQUEST.json`, with the source tree as the
working directory. `-I -S` keep the user's site-packages, the system's site-packages and every
PYTHON* variable out; this script then adds the build environment's site directories itself
(`site.addsitedir`, so their `.pth` files run) and puts the backend-path entries first.

REQUEST.json holds `hook`, `backend`, `backend_path` (absolute, already checked to stay inside
the source tree), `site_dirs`, `metadata_directory`, `wheel_directory` and `result`, the file
the answer is written to as JSON. The answer goes through a file, not stdout, because backends
print. Before the hook is called the file says which hook is running, so a crash still names it.
"""

import json
import os
import site
import sys
import traceback


def write_result(path, result):
    partial = path + ".part"
    with open(partial, "w", encoding="utf-8") as out:
        json.dump(result, out)
    os.replace(partial, path)


def load_backend(reference):
    # "package.module:object.attribute", the object part optional (PEP 517).
    import importlib

    module_name, _, object_path = reference.partition(":")
    backend = importlib.import_module(module_name.strip())
    for attribute in object_path.strip().split("."):
        if attribute:
            backend = getattr(backend, attribute)
    return backend


def call(request, backend, result_path):
    hook = request["hook"]
    if hook == "get_requires_for_build_wheel":
        function = getattr(backend, hook, None)
        if function is None:
            return hook, []
        write_result(result_path, {"hook": hook, "running": True})
        return hook, list(function(None))
    if hook == "wheel_metadata":
        prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
        if prepare is not None:
            hook = "prepare_metadata_for_build_wheel"
            write_result(result_path, {"hook": hook, "running": True})
            return hook, {"metadata": prepare(request["metadata_directory"], None)}
        hook = "build_wheel"
        write_result(result_path, {"hook": hook, "running": True})
        return hook, {"wheel": backend.build_wheel(request["wheel_directory"], None, None)}
    raise ValueError("unknown hook " + repr(hook))


def main():
    with open(sys.argv[1], encoding="utf-8") as request_file:
        request = json.load(request_file)
    result_path = request["result"]
    hook = request["hook"]
    # Before 3.11, -I still puts this script's directory first on sys.path.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if entry and os.path.abspath(entry) != here]
    for directory in request["site_dirs"]:
        site.addsitedir(directory)
    sys.path[0:0] = request["backend_path"]
    write_result(result_path, {"hook": hook, "running": True})
    try:
        backend = load_backend(request["backend"])
        hook, value = call(request, backend, result_path)
    except BaseException as error:  # noqa: B036 - SystemExit from setup.py is a failure too
        traceback.print_exc()
        sys.stderr.flush()
        try:
            with open(result_path, encoding="utf-8") as previous:
                hook = json.load(previous).get("hook", hook)
        except (OSError, ValueError):
            pass
        write_result(result_path, {"hook": hook, "ok": False, "error": type(error).__name__ + ": " + str(error)})
        sys.exit(1)
    write_result(result_path, {"hook": hook, "ok": True, "value": value})


if __name__ == "__main__":
    main()
