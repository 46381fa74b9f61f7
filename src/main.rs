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
/// `thp:never`: no transparent huge pages on the heap. With `thp:always` a warm resolve's
/// ~2,500 page faults became fewer (warm jupyter.in 13.6 → 12.8 ms), but peak memory grew by
/// what the 2 MiB pages left unused: boto3.in warm peaked at 58.8 MiB with them and 48.7 MiB
/// without (uv: 56.3 MiB), while warm jupyter.in stayed at 0.47× uv's time (21 vs 44 ms, 11
/// alternating runs).
#[cfg(not(target_env = "msvc"))]
#[allow(unsafe_code)]
// SAFETY: jemalloc reads this symbol once, as a NUL-terminated C string; the bytes are a static
// literal ending in NUL, never written.
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 57] = b"narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0,thp:never\0";

fn main() -> ExitCode {
    pinwheel::cli::main()
}
