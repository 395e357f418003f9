#!/bin/sh
# The CSAF and CVE exports of every fixture case validate against the official
# schemas (../shared/schemas, or $VULTURES_SCHEMAS) with python3-jsonschema,
# plus the CSAF mandatory tests t/export-validate.py knows; broken documents
# must fail, so that the check can fail.
. "${SRCDIR:-.}/t/lib.sh"
: "${EXPORT_DUMP:=${BUILDDIR:-.}/t/export-dump}"
SCHEMAS=${VULTURES_SCHEMAS:-$SRCDIR/../shared/schemas}
[ -f "$SCHEMAS/csaf-2.0/csaf_json_schema.json" ] && [ -f "$SCHEMAS/cve-5/CVE_Record_Format_bundled.json" ] ||
	skip_all "no schemas in $SCHEMAS"
python3 -c 'import jsonschema' 2>/dev/null || skip_all "python3-jsonschema is not installed"
VALIDATE="python3 $SRCDIR/t/export-validate.py $SCHEMAS"
FIXTURES="export-two-vendors export-ja export-edge"
plan 15

# Positive controls: the schemas' own examples pass the validator.
$VALIDATE csaf "$SCHEMAS"/csaf-2.0/example-*.json > "$OUT" 2>&1
ok $? "the CSAF schema's examples validate"
$VALIDATE cve "$SCHEMAS/cve-5/full-record-basic-example.json" > "$OUT" 2>&1
ok $? "the CVE schema's full-record example validates"

cves=""
for f in $FIXTURES; do
	"$EXPORT_DUMP" csaf "$SRCDIR/t/data/$f.json" > "$T/$f.csaf.json" 2> "$ERR"
	ok $? "$f: CSAF produced"
	for c in $("$EXPORT_DUMP" cve-ids "$SRCDIR/t/data/$f.json"); do
		"$EXPORT_DUMP" cve "$SRCDIR/t/data/$f.json" "$c" > "$T/$f.$c.cve.json" || echo "# no record for $c"
		cves="$cves $T/$f.$c.cve.json"
	done
done
$VALIDATE csaf "$T"/*.csaf.json > "$OUT" 2>&1
rc=$?; cat "$OUT"
ok $rc "every CSAF export validates and passes the mandatory tests checked"
is "$(echo $cves | wc -w | tr -d ' ')" 3 "three CVE records from the fixtures"
# shellcheck disable=SC2086
$VALIDATE cve $cves > "$OUT" 2>&1
rc=$?; cat "$OUT"
ok $rc "every CVE record validates"
"$EXPORT_DUMP" cve "$SRCDIR/t/data/export-edge.json" CVE-2026-99999 > /dev/null
is $? 3 "no CVE record for a CVE the case does not have"

# Negative controls: broken documents must fail.
mutate() {  # mutate IN OUT PYTHON-STATEMENT-ON-d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $3; json.dump(d, open(sys.argv[2], 'w'))" "$1" "$2"
}
base=$T/export-two-vendors.csaf.json
mutate "$base" "$T/neg1.json" "d['vulnerabilities'][0]['product_status']['known_affected'].append('CSAFPID-nowhere')"
$VALIDATE csaf "$T/neg1.json" > "$OUT" 2>&1
[ $? -ne 0 ] && grep -q '6.1.1' "$OUT"; ok $? "an undefined product id fails (6.1.1)"
mutate "$base" "$T/neg2.json" "del d['product_tree']"
$VALIDATE csaf "$T/neg2.json" > "$OUT" 2>&1
[ $? -ne 0 ]; ok $? "a security advisory without a product tree fails"
mutate "$base" "$T/neg3.json" "d['document']['tracking']['initial_release_date'] = '2026-12-07 15:00'"
$VALIDATE csaf "$T/neg3.json" > "$OUT" 2>&1
[ $? -ne 0 ]; ok $? "a date without a zone fails"
mutate "$base" "$T/neg4.json" "d['document']['publisher']['category'] = 'robot'"
$VALIDATE csaf "$T/neg4.json" > "$OUT" 2>&1
[ $? -ne 0 ]; ok $? "a schema violation fails (publisher category)"
mutate "$T/export-two-vendors.CVE-2026-12345.cve.json" "$T/neg5.json" "d['containers']['cna']['references'] = []"
$VALIDATE cve "$T/neg5.json" > "$OUT" 2>&1
[ $? -ne 0 ]; ok $? "a CVE record without references fails"
mutate "$T/export-two-vendors.CVE-2026-12345.cve.json" "$T/neg6.json" "d['cveMetadata']['assignerOrgId'] = 'not-a-uuid'"
$VALIDATE cve "$T/neg6.json" > "$OUT" 2>&1
[ $? -ne 0 ]; ok $? "a CVE record with a malformed orgId fails"

done_testing
