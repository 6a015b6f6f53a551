#!/bin/sh
# Installs the system tools some tests use (independent RDF parsers, an OWL reasoner's Java,
# a headless browser), from Debian's packages. Safe to re-run; does nothing where they are present.
# Without root or apt-get it only says what is missing: those tests then skip, except under CI=true,
# where they fail.
set -eu
PACKAGES="raptor2-utils libapache-jena-java default-jre-headless chromium"
missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "note: missing system packages:$missing (install them with apt-get as root; tests needing them will skip)"
fi
