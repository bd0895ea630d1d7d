#!/bin/sh
# Signs who the signed-in customer is, for Accueil's widget (PROTOCOL.md, "Signed identity").
# Usage: ACCUEIL_IDENTITY_SECRET=... sign.sh SITE CUSTOMER_ID [NAME] [EMAIL]
# Prints the JSON the page hands to `Accueil.identify(...)`. Run it on the brand's server, never in a browser.
set -eu
site=$1 id=$2 name=${3:-} email=${4:-}
issued_at=$(date +%s)
signature=$(printf 'accueil-identity-v1\n%s\n%s\n%s\n%s\n%s' "$site" "$id" "$name" "$email" "$issued_at" |
  openssl dgst -sha256 -hmac "$ACCUEIL_IDENTITY_SECRET" | sed 's/^.*= //')
# (A real page builds this JSON with its template engine's escaping; these fields are plain here.)
printf '{"id":"%s","name":"%s","email":"%s","issued_at":%s,"signature":"%s"}\n' \
  "$id" "$name" "$email" "$issued_at" "$signature"
