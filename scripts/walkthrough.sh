#!/usr/bin/env bash
# A walkthrough of the signed review workflow in a scratch copy of this
# project, with a plainly fictional editor and clinical reviewer whose SSH
# keys are made here, in the scratch folder. Nothing here touches the
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

step "2. Keys: a fictional editor and a fictional clinical reviewer each make their own"
# In real life each person runs ssh-keygen on their own machine (or uses a
# hardware key, -t ed25519-sk) and shares only the .pub file.
keys="$scratch/keys"   # outside content/, and ignored by git below
mkdir -p "$keys"
ssh-keygen -q -t ed25519 -N '' -C "alex-editor (fictional)" -f "$keys/alex-editor"
ssh-keygen -q -t ed25519 -N '' -C "riley-example (fictional)" -f "$keys/riley-example"
printf 'keys/\npublic/\n' > .gitignore

step "3. They join: people files listing their public keys"
cat > content/people/alex-editor.yaml <<YAML
name: Alex Editor (fictional)
roles: [editor]
email: alex@example.invalid
bio: A fictional editor who exists only in this walkthrough.
signing_keys:
  - $(cat "$keys/alex-editor.pub")
YAML
cat > content/people/riley-example.yaml <<YAML
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
signing_keys:
  - $(cat "$keys/riley-example.pub")
YAML
git add -A && git commit --quiet -m "Content, a fictional editor and a fictional reviewer"

step "4. The deployment's trust root names the editor (it lives outside the repository)"
echo "alex-editor $(cat "$keys/alex-editor.pub")" > "$keys/trust-root"
export SECUREBASE_TRUST_ROOT="$keys/trust-root"
cat "$SECUREBASE_TRUST_ROOT"

step "5. The editor approves the people files, site.toml and the theme, signing with their key"
for subject in people/alex-editor people/riley-example people/securebase-editorial site theme; do
  sb review approve "$subject" --reviewer alex-editor --summary "First editorial check" --key "$keys/alex-editor"
done
git add content/reviews && git commit --quiet -m "Editorial approvals"

step "6. Riley approves the avoidant style, signing with their key"
sb review approve styles/avoidant --reviewer riley-example --summary "First clinical review" --key "$keys/riley-example"
git add content/reviews && git commit --quiet -m "Review: approve styles/avoidant"

step "7. A writer edits the page after approval"
printf '\nA sentence written after the approval, not yet reviewed.\n' >> content/styles/avoidant.md
git commit --quiet -am "Edit the avoidant page"
sb review status
sb review diff styles/avoidant

step "8. The production build publishes only signed, approved versions"
sb build --out public
if grep -q "written after the approval" public/styles/avoidant/index.html; then
  echo "unapproved text leaked"; exit 1
fi
echo "The edit made after approval is not in the production page."
sed -n '/<section class="review/,/<\/section>/p' public/styles/avoidant/index.html | sed 's/<[^>]*>//g' | grep -v '^\s*$'

step "9. A forged approval: the writer signs as Riley with a key of their own"
ssh-keygen -q -t ed25519 -N '' -C "writer" -f "$keys/writer"
cp content/reviews/styles/avoidant.yaml "$keys/ledger-before-forgery"
printf '  - %s\n' "$(cat "$keys/writer.pub")" >> content/people/riley-example.yaml
git commit --quiet -am "Add a key to Riley's file (not approved by an editor)"
sb review approve styles/avoidant --reviewer riley-example --summary "Forged" --key "$keys/writer"
git add content/reviews && git commit --quiet -m "A forged approval"
if sb build --out public; then
  echo "the forged approval was published"; exit 1
fi
echo "The forged approval was refused; public/ still holds the last good build."
git reset --quiet --hard HEAD~2

step "10. Checks: every signature and every ledger's history, as production checks them"
sb review verify

step "11. Anyone can check the deployed site against its signed edition bundle"
sb verify-site public --bundle public/edition.bundle
cp -r public "$keys/deployed"
sed -i 's/avoidant/av0idant/' "$keys/deployed/styles/avoidant/index.html"
if sb verify-site "$keys/deployed" --bundle public/edition.bundle; then
  echo "a changed page passed"; exit 1
fi
echo
echo "The production site is in $scratch/public"
