#!/bin/bash
# Builds the hacluster-agents Debian package from prebuilt agents, then lints it.
#
#   packaging/build-deb.sh ARTIFACTS_DIR DIST_DIR
#
# ARTIFACTS_DIR/agents/<Agent> are the NativeAOT executables published by ./build.sh
# (*.dbg files and anything else that is not an agent are left out). The script stages a
# source tree in a temporary directory (packaging/debian as debian/, the agents as agents/,
# one man page per agent as man/, generated from "<Agent> meta-data" by packaging/mangen),
# runs "dpkg-buildpackage -b -us -uc" there, and leaves
#   DIST_DIR/hacluster-agents_<version>_amd64.deb
#   DIST_DIR/logs/   (build log, lintian output, .buildinfo, .changes)
# The version is the one at the top of packaging/debian/changelog. Finally it runs lintian
# on the .deb, prints its output, and exits non-zero if lintian reports an error (E:).
#
# Needs: bash, coreutils, dpkg-dev, debhelper, lintian, the .NET SDK (to build mangen);
# man-db is optional (used to show groff warnings early). Works offline. Writes nothing
# outside DIST_DIR and its temporary directory (removed at exit; set KEEP_WORK=1 to keep it).
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*"; }

if [[ $# -ne 2 ]]; then
    echo "usage: $prog ARTIFACTS_DIR DIST_DIR" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
artifacts=$(realpath -m -- "$1")
dist=$(realpath -m -- "$2")
agents_dir=$artifacts/agents
package=hacluster-agents
provider=hacluster

[[ -d $agents_dir ]] || die "$agents_dir does not exist (run ./build.sh first)"
[[ -f $here/debian/control && -f $here/debian/changelog ]] || die "$here/debian is incomplete"
[[ -f $here/mangen/HaCluster.ManGen.csproj ]] || die "$here/mangen/HaCluster.ManGen.csproj is missing"
for tool in dpkg-buildpackage dpkg-parsechangelog dpkg-deb dh lintian dotnet od timeout; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install debhelper dpkg-dev lintian; .NET SDK for dotnet)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/$package-deb.XXXXXXXX")
cleanup() {
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        note "kept work directory $work"
    else
        rm -rf -- "$work"
    fi
}
trap cleanup EXIT

# --- Version and reproducible timestamp, from the changelog ---------------------------------
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -SVersion)
timestamp=$(dpkg-parsechangelog -l "$here/debian/changelog" -STimestamp)
upstream_version=${version#*:}
upstream_version=${upstream_version%-*}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$timestamp}
man_date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
note "building $package $version"

src=$work/$package-$upstream_version
mkdir -p "$src/agents" "$src/man" "$work/meta"

# --- debian/ (without leftovers of an in-place build, should there be any) ------------------
cp -a "$here/debian" "$src/debian"
rm -rf "$src/debian/$package" "$src/debian/.debhelper" "$src/debian/tmp" \
    "$src/debian/files" "$src/debian/debhelper-build-stamp"
rm -f "$src/debian/"*.substvars "$src/debian/"*.debhelper.log

# --- Agents ---------------------------------------------------------------------------------
is_elf() { [[ $(head -c 4 -- "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; }

agents=()
for f in "$agents_dir"/*; do
    [[ -e $f ]] || continue
    name=${f##*/}
    case $name in
        *.dbg) continue ;;  # split-off debug symbols: never packaged
    esac
    if [[ ! -f $f ]]; then
        note "skipping $name: not a regular file"
        continue
    fi
    if [[ ! $name =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]]; then
        note "skipping $name: not an agent name"
        continue
    fi
    is_elf "$f" || die "$f is not an ELF executable"
    [[ -x $f ]] || die "$f is not executable"
    install -m 0755 -- "$f" "$src/agents/$name"
    agents+=("$name")
done
(( ${#agents[@]} > 0 )) || die "no agents in $agents_dir"
note "agents: ${agents[*]}"

# --- Man page generator, built from a copy (nothing is written into the repository) ---------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$work/mangen-src"
tar -C "$here/mangen" --exclude=./bin --exclude=./obj -cf - . | tar -C "$work/mangen-src" -xf -
# The repository's build settings (target framework, compiler options) go beside the copy;
# the empty files stop MSBuild's upward search for Directory.* files at the work directory.
cp -- "$here/../Directory.Build.props" "$work/Directory.Build.props"
echo '<Project />' > "$work/Directory.Build.targets"
echo '<Project />' > "$work/Directory.Packages.props"
if ! dotnet build "$work/mangen-src/HaCluster.ManGen.csproj" -c Release -o "$work/mangen-bin" \
        --nologo -v quiet >"$work/mangen-build.log" 2>&1; then
    cat "$work/mangen-build.log" >&2
    die "building the man page generator failed"
fi
mangen=(dotnet "$work/mangen-bin/HaCluster.ManGen.dll"
        --provider "$provider" --source "$package $upstream_version" --date "$man_date")

# --- One man page per agent, from its meta-data ---------------------------------------------
for a in "${agents[@]}"; do
    meta=$work/meta/$a.xml
    # Run as the cluster would for meta-data: a clean environment with only OCF_ROOT.
    if ! env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin OCF_ROOT=/usr/lib/ocf \
            timeout 60 "$src/agents/$a" meta-data </dev/null >"$meta" 2>"$work/meta/$a.err"; then
        cat "$work/meta/$a.err" >&2
        die "'$a meta-data' failed"
    fi
    page=$src/man/ocf_${provider}_$a.7
    "${mangen[@]}" --expect-name "$a" <"$meta" >"$page" || die "no man page for $a"
    if command -v man >/dev/null; then
        # The check lintian makes (manpage-has-errors-from-man), shown early.
        warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
            man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null || true)
        [[ -z $warnings ]] || note "man warnings for ${page##*/}:"$'\n'"$warnings"
    fi
done

# --- Package ----------------------------------------------------------------------------------
mkdir -p "$dist/logs"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$dist/logs/build.log" 2>&1; then
    cat "$dist/logs/build.log" >&2
    die "dpkg-buildpackage failed (log: $dist/logs/build.log)"
fi

deb_name=${package}_${version#*:}_amd64.deb
[[ -f $work/$deb_name ]] || die "dpkg-buildpackage did not produce $deb_name"
mv -f -- "$work/$deb_name" "$dist/$deb_name"
for f in "$work"/*.buildinfo "$work"/*.changes; do
    [[ -e $f ]] && mv -f -- "$f" "$dist/logs/"
done
deb=$dist/$deb_name
note "built $deb"

# --- Check the payload: exactly the agents, 0755, and their man pages -------------------------
listing=$(dpkg-deb -c "$deb")
agent_lines=$(grep -E " \./usr/lib/ocf/resource\.d/$provider/[^/]+$" <<<"$listing" || true)
(( $(grep -c . <<<"$agent_lines") == ${#agents[@]} )) \
    || die "the package's agent directory does not hold exactly the ${#agents[@]} agents:"$'\n'"$agent_lines"
for a in "${agents[@]}"; do
    grep -qE "^-rwxr-xr-x .* \./usr/lib/ocf/resource\.d/$provider/$a$" <<<"$listing" \
        || die "$a is missing from the package or not mode 0755"
    grep -qE " \./usr/share/man/man7/ocf_${provider}_$a\.7\.gz$" <<<"$listing" \
        || die "the man page of $a is missing from the package"
done

# --- lintian ----------------------------------------------------------------------------------
echo "== lintian $deb_name"
lintian_rc=0
lintian --display-info --fail-on none "$deb" >"$dist/logs/lintian.txt" 2>&1 || lintian_rc=$?
cat "$dist/logs/lintian.txt"
echo "== end of lintian output"
(( lintian_rc == 0 )) || die "lintian failed to run (exit $lintian_rc)"
if grep -q '^E: ' "$dist/logs/lintian.txt"; then
    die "lintian reports errors"
fi
note "done: $deb"
