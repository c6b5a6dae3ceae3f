#!/usr/bin/env bash
# Installs every build and test dependency of precisiondiff from Debian 12's archive.
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  clang libclang-rt-14-dev            # libFuzzer and sanitizer runtimes
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  libsqlite3-dev libpcre2-dev libxxhash-dev libzstd-dev
  libcurl4-openssl-dev libcpp-httplib-dev
  libxml2-utils python3 python3-numpy python3-jsonschema
)
if [[ "${PRECISIONDIFF_WITH_TORCH:-0}" == 1 ]]; then
  packages+=(python3-torch libopenblas0-openmp)  # only for tools/train-fixture
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
