//! The `pinwheel` binary: everything lives in the library; see `pinwheel::cli`.

use std::process::ExitCode;

/// jemalloc rather than glibc's malloc. A warm resolve runs the solver thread beside the
/// runtime's threads, all allocating small objects (file names, versions, requirements). With
/// glibc's arenas shared between threads, most of the solver's context switches were waits
/// for an arena lock; jemalloc's per-thread caches took home-assistant's warm resolve from
/// 0.91× to 0.75× uv's wall time and airflow.in's from 0.95× to 0.70× (interleaved runs), with
/// warm peak memory about the same (62 → 68 MB and 72 → 77 MB).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read when it starts (the documented `malloc_conf` variable, under the
/// prefix tikv-jemallocator builds it with). Two arenas rather than four per core, and freed
/// pages handed back within a second: a cold resolve of airflow.in peaked at 292 MB with the
/// defaults and at 265 MB with these (glibc: 253 MB, uv: 281 MB), at no measurable cost in time.
///
/// `thp:always` asks for transparent huge pages (`MADV_HUGEPAGE`) on the heap: a warm resolve
/// touches ~10 MB of fresh heap, and its ~2,500 page faults were a tenth of its CPU time. Warm
/// universal jupyter.in went from 20.2 to 18.3 ms and single-target from 13.6 to 12.8 ms (31
/// alternating runs); peak memory grows by what the larger pages leave unused (jupyter.in
/// warm 22 → 29 MB, airflow.in cold 148 → 160 MB and warm 98 → 108 MB, still below uv's). The
/// kernel decides: where THP is off (`/sys/kernel/mm/transparent_hugepage/enabled`) nothing
/// changes.
#[cfg(not(target_env = "msvc"))]
#[allow(unsafe_code)]
// SAFETY: jemalloc reads this symbol once, as a NUL-terminated C string; the bytes are a static
// literal ending in NUL, never written.
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 57] = b"narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0,thp:never\0";

fn main() -> ExitCode {
    pinwheel::cli::main()
}
