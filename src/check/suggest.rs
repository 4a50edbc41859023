//! Did-you-mean: the nearest name by edit distance.

/// The candidate nearest to `name` (edit distance with transpositions, ignoring case),
/// when it is close enough to be a plausible typo: at most a third of the name's length,
/// and at most 3 edits. Ties go to the candidate of the closest length.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let length = name.chars().count();
    let limit = (length / 3).clamp(1, 3);
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| {
            let d = distance(&lower, &candidate.to_lowercase());
            (d, candidate.chars().count().abs_diff(length), candidate)
        })
        .filter(|(d, _, _)| *d <= limit)
        .min_by_key(|(d, length_gap, _)| (*d, *length_gap))
        .map(|(_, _, candidate)| candidate.to_owned())
}

/// Optimal-string-alignment distance over chars: insertions, deletions, substitutions
/// and swaps of neighbours each cost 1 (`nmae` is one edit from `name`). Names are short;
/// long inputs are cut to keep this cheap.
fn distance(a: &str, b: &str) -> usize {
    const MAX: usize = 64;
    let a: Vec<char> = a.chars().take(MAX).collect();
    let b: Vec<char> = b.chars().take(MAX).collect();
    // rows[i][j]: distance between a[..i] and b[..j]; three rows are enough.
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_strangers_find_none() {
        let names = ["status", "size", "source", "createdDateTime"];
        assert_eq!(nearest("stauts", names), Some("status".into()));
        assert_eq!(nearest("Status", names), Some("status".into()));
        assert_eq!(
            nearest("createddatetime", names),
            Some("createdDateTime".into())
        );
        assert_eq!(nearest("sise", names), Some("size".into()));
        assert_eq!(nearest("zebra", names), None);
        assert_eq!(nearest("nmae", ["name", "size"]), Some("name".into()));
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ab", "ba"), 1);
    }
}
