# Sourced by the CLI test scripts (after setting $recon): comparisons of two arrays through
# `recon metrics`.
fail() { echo "FAIL: $*"; exit 1; }
psnr() {  # REFERENCE TEST: the PSNR printed by `recon metrics` (null when identical)
  "$recon" --device cpu metrics "$1" "$2" | sed -n 's/^ *"psnr": *\([^,]*\),*$/\1/p'
}
psnr_above() {  # REFERENCE TEST DB WHAT: fails unless identical or the PSNR exceeds DB
  local p; p=$(psnr "$1" "$2")
  [ "$p" = "null" ] || awk -v p="$p" -v d="$3" 'BEGIN { exit !(p > d) }' || fail "$4: PSNR $p dB against $1"
}
