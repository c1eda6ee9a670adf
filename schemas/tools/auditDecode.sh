#!/usr/bin/env bash
# Decodes one ledger Kafka message with tools nobody on this project wrote: kcat reads the raw
# bytes, the schema registry serves the writer schema named in the Confluent header, and Apache
# Avro's own avro-tools turns the body into JSON. If this agrees with our serde, the wire format
# is standard Avro, not an accident of one library. See schemas/README.md, "Downstream auditors".
#
#   auditDecode.sh --file message.bin                                  # a saved message value
#   auditDecode.sh --broker 127.0.0.1:9092 --topic ledger.events --partition 0 --offset 42
#
# Needs: curl, jq, od, java (17+); kcat for --broker; mvn the first time (fetches avro-tools).
# Env: LEDGER_REGISTRY_URL (default http://127.0.0.1:8085/apis/ccompat/v7),
#      LEDGER_AVRO_TOOLS_JAR (use this jar), LEDGER_TOOLS_CACHE (default ~/.cache/ledger).
set -euo pipefail

registry="${LEDGER_REGISTRY_URL:-http://127.0.0.1:8085/apis/ccompat/v7}"
cache="${LEDGER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ledger}"
avro_tools_version=1.12.0
file='' broker='' topic='' partition='' offset='' keep=''

die() { echo "auditDecode: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --file) file="$2"; shift 2 ;;
    --broker) broker="$2"; shift 2 ;;
    --topic) topic="$2"; shift 2 ;;
    --partition) partition="$2"; shift 2 ;;
    --offset) offset="$2"; shift 2 ;;
    --registry) registry="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;; # keep writer.avsc and body.bin in this directory
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (try --help)" ;;
  esac
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. The raw message value, byte for byte.
if [ -n "$file" ]; then
  cp -- "$file" "$work/message.bin"
elif [ -n "$broker" ] && [ -n "$topic" ] && [ -n "$partition" ] && [ -n "$offset" ]; then
  command -v kcat > /dev/null || die "kcat not found (apt-get install -y kcat)"
  kcat -C -q -e -c 1 -b "$broker" -t "$topic" -p "$partition" -o "$offset" -f '%s' > "$work/message.bin"
else
  die "give --file, or --broker, --topic, --partition and --offset"
fi

# 2. Confluent header: magic byte 0, then the writer schema id as a big-endian 32-bit integer.
size="$(wc -c < "$work/message.bin")"
[ "$size" -ge 5 ] || die "message is $size bytes, shorter than the 5-byte Confluent header"
magic="$(od -An -tu1 -N1 "$work/message.bin" | tr -d ' ')"
[ "$magic" = 0 ] || die "magic byte is $magic, not 0: not in the Confluent wire format"
schema_id="$(od -An -tu1 -j1 -N4 "$work/message.bin" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')"

# 3. The writer schema, exactly as registered under that id.
curl -sSf "$registry/schemas/ids/$schema_id" | jq -r .schema > "$work/writer.avsc" ||
  die "registry $registry has no schema $schema_id"

# 4. The Avro body: everything after the 5-byte header.
tail -c +6 "$work/message.bin" > "$work/body.bin"

# 5. avro-tools from Maven Central, cached outside any repository.
jar="${LEDGER_AVRO_TOOLS_JAR:-$cache/avro-tools/avro-tools-$avro_tools_version.jar}"
if [ ! -f "$jar" ]; then
  command -v mvn > /dev/null || die "avro-tools not at $jar and mvn not found to fetch it"
  echo "fetching org.apache.avro:avro-tools:$avro_tools_version into $(dirname "$jar")" >&2
  mvn -q dependency:copy "-Dartifact=org.apache.avro:avro-tools:$avro_tools_version" \
    "-DoutputDirectory=$(dirname "$jar")" >&2
fi

echo "schema id $schema_id: $(jq -r '(.namespace // "") + "." + .name' "$work/writer.avsc"), body $((size - 5)) bytes" >&2
if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$work/writer.avsc" "$work/body.bin" "$keep/"; fi
java -jar "$jar" fragtojson --schema-file "$work/writer.avsc" "$work/body.bin"
