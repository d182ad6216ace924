#!/usr/bin/env bash
# A walkthrough of the review workflow in a scratch copy of this project,
# with a plainly fictional clinical reviewer. Nothing here touches the
# project itself.
#
#   scripts/walkthrough.sh [SCRATCH_DIR]
#
# SECUREBASE may name the binary to use (default: cargo run --release).
set -euo pipefail

project=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d)}
if [ -n "${SECUREBASE:-}" ]; then
  sb() { "$SECUREBASE" "$@"; }
else
  sb() { cargo run --quiet --release --manifest-path "$project/Cargo.toml" -- "$@"; }
fi

step() { printf '\n== %s\n' "$*"; }

step "1. A scratch copy of the site in $scratch, as a git repository"
mkdir -p "$scratch"
cp -R "$project/site.toml" "$project/content" "$project/themes" "$scratch/"
cd "$scratch"
git init --quiet
git config user.name "Sam Writer (fictional)"
git config user.email "writer@example.invalid"

step "2. A fictional clinical reviewer joins"
cat > content/people/riley-example.yaml <<'YAML'
name: Riley Example (fictional)
credentials:
  - abbreviation: LCSW
    meaning: Licensed Clinical Social Worker
roles: [clinical_reviewer]
email: riley@example.invalid
bio: A fictional clinician who exists only in this walkthrough.
licence:
  type: LCSW
  jurisdiction: Nowhere State (fictional)
  expires: 2099-12-31
YAML
git add -A && git commit --quiet -m "Content and a fictional reviewer"
sb review status

step "3. Riley approves the avoidant style (the ledger is committed by Riley)"
sb review approve styles/avoidant --reviewer riley-example --summary "First clinical review"
git add content/reviews
git -c user.name="Riley Example (fictional)" -c user.email="riley@example.invalid" commit --quiet -m "Review: approve styles/avoidant"

step "4. A writer edits the page after approval"
printf '\nA sentence written after the approval, not yet reviewed.\n' >> content/styles/avoidant.md
git commit --quiet -am "Edit the avoidant page"
sb review status
sb review diff styles/avoidant

step "5. The production build publishes only the approved version"
sb build --out public
if grep -q "written after the approval" public/styles/avoidant/index.html; then
  echo "unapproved text leaked"; exit 1
fi
echo "The edit made after approval is not in the production page."
sed -n '/<section class="review/,/<\/section>/p' public/styles/avoidant/index.html | sed 's/<[^>]*>//g' | grep -v '^\s*$'

step "6. Checks: who committed each review"
sb review verify
echo
echo "The production site is in $scratch/public"
