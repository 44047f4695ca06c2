#!/usr/bin/env bash
# Fetches Debian's Gloo and its run-time dependencies without installing anything (no root needed):
#   fetch-gloo.sh DIR "PACKAGE..." "SONAME..."
# downloads the packages' .debs into DIR/debs, extracts them into DIR/root and copies each SONAME (found under
# DIR/root) into DIR/lib, where the shim is linked and from where the build copies the libraries.
# When the system's package lists do not know libgloo0 (a fresh machine, no `apt-get update` run), it updates a
# private copy of the lists under DIR/apt instead, which needs no root either.
set -euo pipefail
dir=$1
read -r -a packages <<<"$2"
read -r -a sonames <<<"$3"

fail() { echo "Gloo fetch: $*" >&2; exit 1; }

mkdir -p "$dir/debs" "$dir/root" "$dir/lib"
cd "$dir/debs"
missing=()
for package in "${packages[@]}"; do
    compgen -G "${package}_*.deb" >/dev/null || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
    command -v apt-get >/dev/null || fail "apt-get not found; Gloo comes from Debian/Ubuntu packages (${packages[*]})"
    options=()
    # As root apt drops to the _apt user, which cannot write into a build folder.
    [[ $(id -u) == 0 ]] && options+=(-o APT::Sandbox::User=root)
    if ! apt-cache policy libgloo0 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        mkdir -p "$dir/apt/state/lists/partial" "$dir/apt/cache/archives/partial"
        options+=(-o "Dir::State=$dir/apt/state" -o "Dir::Cache=$dir/apt/cache" -o Dir::State::status=/var/lib/dpkg/status)
        echo "Gloo fetch: the system package lists lack libgloo0; updating private lists in $dir/apt"
        apt-get "${options[@]}" -q update || fail "apt-get update (private lists in $dir/apt) failed; is a Debian mirror reachable?"
    fi
    apt-get "${options[@]}" -q download "${missing[@]}" || fail "apt-get download ${missing[*]} failed"
fi

for deb in *.deb; do
    dpkg -x "$deb" "$dir/root" || fail "dpkg -x $deb failed"
done
for soname in "${sonames[@]}"; do
    found=$(find "$dir/root/lib" "$dir/root/usr/lib" -name "$soname" -print -quit 2>/dev/null)
    [[ -n $found ]] || fail "$soname is in none of the packages ${packages[*]}"
    cp -L "$found" "$dir/lib/$soname"
done
