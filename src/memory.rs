//! The process's own memory (issue #14): resident set now and at its peak, read from
//! `/proc/self/status`, for the timing lines of the log ("store opened", "first frame drawn",
//! "contact list loaded", "search index ready"), so where memory comes from shows in the log
//! at `--log-level debug`; and handing freed heap back to the system after a big transient
//! build ([`trim`]).

/// Resident memory of this process, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resident {
    /// `VmRSS`: resident now.
    pub now_kib: u64,
    /// `VmHWM`: the most ever resident (the peak RSS).
    pub peak_kib: u64,
}

impl Resident {
    /// Resident now, in MiB (for log fields).
    pub fn now_mib(&self) -> u64 {
        self.now_kib / 1024
    }

    /// The peak, in MiB (for log fields).
    pub fn peak_mib(&self) -> u64 {
        self.peak_kib / 1024
    }
}

/// Reads `VmRSS` and `VmHWM` of this process; zeros where `/proc` is not there (not Linux).
pub fn resident() -> Resident {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| parse_status(&s))
        .unwrap_or_default()
}

/// `VmRSS` and `VmHWM` of a `/proc/PID/status` text (lines `VmRSS:    1234 kB`).
pub fn parse_status(text: &str) -> Resident {
    let kib = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Resident {
        now_kib: kib("VmRSS:"),
        peak_kib: kib("VmHWM:"),
    }
}

/// Gives the heap's free memory back to the system (glibc's `malloc_trim`): after a big
/// transient build (the search index's word table, a list replaced by a new one) the freed
/// pages otherwise stay resident in malloc's arenas. A no-op off glibc. Takes a few ms at 1M
/// contacts (it walks the free lists), so it is called after builds, never per keystroke.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of malloc's own heap to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_and_peak_from_a_status_text() {
        let t = "Name:\tbmby-ghl\nVmPeak:\t  900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        let r = parse_status(t);
        assert_eq!(r.now_kib, 102_400);
        assert_eq!(r.peak_kib, 204_800);
        assert_eq!((r.now_mib(), r.peak_mib()), (100, 200));
        assert_eq!(parse_status("nothing"), Resident::default());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_resident() {
        let r = resident();
        assert!(r.now_kib > 0 && r.peak_kib >= r.now_kib, "{r:?}");
    }
}
