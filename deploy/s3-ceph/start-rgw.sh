#!/bin/bash
# Ceph RGW as a small S3 store for docker-compose.yml's `cluster` profile: one monitor, one OSD
# whose objects live in memory (memstore), and radosgw with one S3 user. The same steps as the
# tests' fixture (packages/test-s3), which proves Vigil's S3 code against this server.
# A demonstration: the objects are gone when the container stops, and each start begins afresh.
# Production keeps recordings in a real S3 service or Ceph cluster instead.
# Runs in the official Ceph image (quay.io/ceph/ceph) or anywhere Ceph's programs are installed.
set -euo pipefail

dir=${CEPH_DIR:-/var/lib/vigil-s3}
rgw_address=${RGW_ADDRESS:-0.0.0.0}
rgw_port=${RGW_PORT:-7480}
mon_port=${MON_PORT:-6789}
: "${S3_ACCESS_KEY:?set S3_ACCESS_KEY}" "${S3_SECRET_KEY:?set S3_SECRET_KEY}"
# S3_BUCKET, if set, is created once the user exists.

rm -rf "$dir"
mkdir -p "$dir"/{run,log,crash,mon,osd,rgw}
conf="$dir/ceph.conf"
fsid=$(cat /proc/sys/kernel/random/uuid)
# Explained line by line in packages/test-s3/src/ceph-config.ts.
cat >"$conf" <<CONF
[global]
fsid = $fsid
mon_host = v1:127.0.0.1:$mon_port
mon_initial_members = a
public_network = 127.0.0.0/8
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_pool_default_pg_num = 8
osd_crush_chooseleaf_type = 0
osd_objectstore = memstore
osd_crush_update_on_start = false
osd_class_update_on_start = false
run_dir = $dir/run
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
log_file = $dir/log/\$name.log
mon_cluster_log_file = $dir/log/\$cluster.\$channel.log
crash_dir = $dir/crash
keyring = $dir/keyring
mon_data = $dir/mon
osd_data = $dir/osd
rgw_data = $dir/rgw
CONF

ceph=(ceph -c "$conf" --connect-timeout 10)
ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. >/dev/null
monmaptool --create --clobber --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring"
ceph-mon -c "$conf" -i a -f &
pids=($!)
# Whatever exits first (or a stop signal) ends the container, and takes the others along.
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
trap 'exit 0' TERM INT

until "${ceph[@]}" mon stat >/dev/null 2>&1; do sleep 0.5; done
osd=$("${ceph[@]}" osd create)
"${ceph[@]}" osd crush add "osd.$osd" 1.0 root=default host=vigil-s3 >/dev/null
ceph-osd -c "$conf" -i "$osd" --mkfs
ceph-osd -c "$conf" -i "$osd" -f &
pids+=($!)
until "${ceph[@]}" osd stat -f json | grep -q '"num_up_osds":1'; do sleep 0.5; done

radosgw -c "$conf" -n client.rgw -f --rgw_frontends "beast endpoint=$rgw_address:$rgw_port" &
pids+=($!)
until curl -fsS -o /dev/null "http://127.0.0.1:$rgw_port/" 2>/dev/null; do sleep 0.5; done
radosgw-admin -c "$conf" user create --uid=vigil --display-name=Vigil \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null
if [ -n "${S3_BUCKET:-}" ]; then
  # A signed PUT, as any S3 client sends it (curl 7.75 and later sign requests themselves; S3
  # wants the body's SHA-256 in a header of its own, here that of the empty body).
  curl -fsS -o /dev/null -X PUT --aws-sigv4 "aws:amz:${S3_REGION:-us-east-1}:s3" \
    --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://127.0.0.1:$rgw_port/$S3_BUCKET"
fi
echo "start-rgw: S3 on $rgw_address:$rgw_port, user vigil${S3_BUCKET:+, bucket $S3_BUCKET}" >&2
wait -n "${pids[@]}"
