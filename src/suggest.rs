//! "Did you mean …?": the known name closest to a mistyped one, for config keys, keymap
//! contexts and action names.

/// The candidate most like `word`, when one is close enough to be a likely typo.
///
/// Names are compared case-insensitively with `-` and `_` treated alike; the closeness is
/// Jaro-Winkler similarity (which favours a shared beginning: `locaton_id` → `location_id`,
/// `pull_interval` → `pull_interval_secs`), and a candidate is offered only at 0.85 or more,
/// so an unrelated name gets no suggestion. Ties go to the earlier candidate.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let norm = |s: &str| s.to_lowercase().replace('-', "_");
    let w = norm(word);
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&w, &norm(c));
        if score >= 0.85 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `" (did you mean `x`?)"` or `""`: ready to append to a message.
pub fn hint<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_the_near_name_and_strangers_nothing() {
        let keys = ["base_url", "location_id", "token", "client_id"];
        assert_eq!(did_you_mean("locaton_id", keys), Some("location_id"));
        assert_eq!(did_you_mean("Location-ID", keys), Some("location_id"));
        assert_eq!(did_you_mean("tokn", keys), Some("token"));
        assert_eq!(did_you_mean("baseurl", keys), Some("base_url"));
        assert_eq!(did_you_mean("colour_scheme", keys), None);
        let actions = ["app.quit", "nav.down", "nav.up"];
        assert_eq!(did_you_mean("nav.dwn", actions), Some("nav.down"));
        assert_eq!(did_you_mean("app.explode", actions), None);
        assert_eq!(hint("tokn", keys), " (did you mean `token`?)");
        assert_eq!(hint("zzz", keys), "");
    }
}
