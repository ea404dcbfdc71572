//! "Did you mean …?": the closest known name to a misspelled one.

/// The candidate closest to `name`, if it is close enough to be a likely
/// typo: within a third of the name's length in edits (at least one), or a
/// case-insensitive match.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance =
                if c.eq_ignore_ascii_case(name) { 0 } else { strsim::damerau_levenshtein(name, c) };
            (distance, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_likely_typos_only() {
        let names = ["disk.free", "disk.size", "memory.available"];
        assert_eq!(closest("disk.fre", names), Some("disk.free"));
        assert_eq!(closest("Disk.Free", names), Some("disk.free"));
        assert_eq!(closest("cpu", names), None);
        assert_eq!(closest("memory.avail", names), Some("memory.available"));
        assert_eq!(closest("network.errors", names), None);
    }
}
