#!/usr/bin/env bash
# Clean builds of the securebase library alone: with its default features,
# and bundle-only (`--no-default-features`), each into a target folder of
# its own, for BENCHMARKS.md's "The bundle-only build".
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for profile in dev release; do
  for variant in full bundle-only; do
    flags=()
    [ "$variant" = bundle-only ] && flags=(--no-default-features)
    start=$(date +%s.%N)
    cargo build -q --offline --profile "$profile" -p securebase "${flags[@]}" --target-dir "$work/$variant-$profile"
    end=$(date +%s.%N)
    out=$([ "$profile" = dev ] && echo debug || echo release)
    crates=$(ls "$work/$variant-$profile/$out/deps/"*.rlib | wc -l)
    printf '%s %s: %.1f s, %s crates compiled\n' "$profile" "$variant" "$(echo "$end - $start" | bc)" "$crates"
  done
done
