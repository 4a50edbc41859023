//! Did-you-mean suggestions: the closest known name to a misspelled one, by edit distance.

/// The edit distance between `a` and `b`, ignoring ASCII case: insertions, deletions,
/// substitutions and transpositions of adjacent characters each cost 1 (optimal string
/// alignment). Gives up (returns `usize::MAX`) on words longer than 32 characters: names
/// are short, and the table below stays on the stack.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    const MAX: usize = 32;
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    if a.len() > MAX || b.len() > MAX {
        return usize::MAX;
    }
    // Three rows of the dynamic-programming table: two back (for transpositions), one
    // back, and the current one.
    let mut two_back = [0usize; MAX + 1];
    let mut one_back: [usize; MAX + 1] = std::array::from_fn(|j| j);
    let mut current = [0usize; MAX + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (one_back[j] + 1)
                .min(current[j - 1] + 1)
                .min(one_back[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(two_back[j - 2] + 1);
            }
            current[j] = best;
        }
        two_back = one_back;
        one_back = current;
    }
    one_back[b.len()]
}

/// How far a misspelling may be from the name it stands for: one edit for short words,
/// two from six characters on.
fn tolerance(word: &str) -> usize {
    if word.chars().count() < 6 {
        1
    } else {
        2
    }
}

/// The candidate closest to `word` within [`tolerance`], if one is; the first of equally
/// close ones. A candidate equal to `word` (ignoring case) is not a suggestion.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let tolerance = tolerance(word);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = distance(word, candidate);
        if d == 0 || d > tolerance {
            continue;
        }
        if best.map_or(true, |(best_distance, _)| d < best_distance) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The candidate one edit away from `word` (a typing slip, not another name), if any.
pub(crate) fn one_edit_away<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if word.chars().count() < 4 {
        return None;
    }
    candidates
        .into_iter()
        .find(|candidate| distance(word, candidate) == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("gtt", "gt"), 1);
        assert_eq!(distance("containz", "contains"), 1);
        assert_eq!(distance("substirng", "substring"), 1);
        assert_eq!(distance("FILTR", "filter"), 1);
        assert_eq!(distance("sale", "date"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance(&"a".repeat(40), "a"), usize::MAX);
    }

    #[test]
    fn suggestions() {
        let names = ["filter", "select", "top", "skip"];
        assert_eq!(closest("filtr", names), Some("filter"));
        assert_eq!(closest("slect", names), Some("select"));
        assert_eq!(closest("filter", names), None);
        assert_eq!(closest("frobnicate", names), None);
        assert_eq!(one_edit_away("containz", ["contains"]), Some("contains"));
        assert_eq!(one_edit_away("sale", ["date"]), None);
    }
}
