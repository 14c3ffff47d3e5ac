#!/usr/bin/env bash
# Installs exactly the Debian 12 packages twinbed needs to build, test and run.
# Idempotent: re-running it on a machine that has them is quick.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache   # toolchain
  libsimgrid-dev                            # the world's time, hosts, links
  libeigen3-dev                             # numerics
  libboost-graph-dev                        # topologies
  nlohmann-json3-dev                        # scenarios and reports
  libhdf5-dev hdf5-tools                    # traces (hdf5-tools: h5dump for users and tests)
  doctest-dev                               # unit tests
  libcli11-dev                              # command line
  libgoogle-perftools-dev                   # tcmalloc: SimGrid allocates per message
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "twinbed setup: installing ${missing[*]}" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
