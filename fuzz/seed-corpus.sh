#!/usr/bin/env bash
# Seeds the fuzz corpora from the parser's case files: every `query:`/`url:` case input
# becomes a parse_query seed, every `filter:`/`expr:` case input a parse_filter seed; and
# every 25th line of the real-world corpus (tests/cases/parse/corpus/) a parse_query seed;
# every query of the model-check cases a parse_check seed.
# Seeds are named by content hash, so running it again adds only new inputs.
#   fuzz/seed-corpus.sh [OUT_DIR]    (default fuzz/seeds)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/seeds}"
mkdir -p "$out/parse_query" "$out/parse_filter"
for file in "$here"/../tests/cases/parse/*.txt; do
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    rule="${line%%: *}"; rest="${line#*: }"
    input="${rest% ==>*}"; input="${input% ==!*}"; input="${input%==!}"
    input="$(printf '%s' "$input" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
    case "$rule" in
      query|'query['*']'|url|'url['*']') target=parse_query ;;
      filter|'filter['*']'|expr|'expr['*']') target=parse_filter ;;
      *) continue ;;
    esac
    name="$(printf '%s' "$input" | sha1sum | cut -c1-16)"
    printf '%s' "$input" > "$out/$target/$name"
  done < "$file"
done
for file in "$here"/../tests/cases/parse/corpus/*.txt; do
  grep -v -e '^#' -e '^$' "$file" | awk 'NR % 25 == 1' | while IFS= read -r input; do
    name="$(printf '%s' "$input" | sha1sum | cut -c1-16)"
    printf '%s' "$input" > "$out/parse_query/$name"
  done
done
# Every query of the model-check cases (RESOURCE | QUERY | EXPECTATION) seeds parse_check.
mkdir -p "$out/parse_check"
for file in "$here"/../tests/cases/check/*.txt; do
  grep -v -e '^#' -e '^$' -e '^@' "$file" | awk -F' [|] ' 'NF >= 3 { print $2 }' | while IFS= read -r input; do
    name="$(printf '%s' "$input" | sha1sum | cut -c1-16)"
    printf '%s' "$input" > "$out/parse_check/$name"
  done
done
echo "seeds: $(ls "$out/parse_query" | wc -l) parse_query, $(ls "$out/parse_filter" | wc -l) parse_filter, $(ls "$out/parse_check" | wc -l) parse_check in $out"
