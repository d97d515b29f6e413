#!/usr/bin/env bash
# Regenerates translations/tillit-kiosk.pot from every tr("...") in the UI code and
# merges new msgids into each language's .po (translations then need writing).
set -euo pipefail
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 --language=C++ --keyword=tr --keyword=tr_in:2 --add-comments=TRANSLATORS \
  --package-name=tillit-kiosk --msgid-bugs-address=none --sort-by-file \
  -o translations/tillit-kiosk.pot $(ls app/ui/*.cpp | sort)
# xgettext leaves the charset as a placeholder; the sources are UTF-8.
sed -i 's/charset=CHARSET/charset=UTF-8/' translations/tillit-kiosk.pot
for po in translations/*.po; do
  msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" translations/tillit-kiosk.pot
done
