#!/usr/bin/env python3
"""export-validate.py SCHEMADIR csaf|cve FILE...

Validates CSAF 2.0 documents or CVE JSON 5 records against the official
schemas in SCHEMADIR (csaf-2.0/, cve-5/), offline: the CVSS schemas that the
CSAF schema refers to by URL are mapped to the local copies. For CSAF it also
runs the mandatory tests of CSAF 2.0 section 6.1 that can be checked without
other tools (product ids defined once and all references defined, no
contradicting product status, version and revision history, CVE used once,
security advisory profile, remediations with products, no ranges in
product_version) and checks dates (RFC 3339) and URLs. Prints one "# ..."
line per problem; exits 0 when every file passes, 1 otherwise."""
import json
import os
import re
import sys

import jsonschema

RFC3339 = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')
URL = re.compile(r'^https?://[^\s/?#]+[^\s]*$')


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def validator(schema, cls, extra):
    """A validator with a format checker, EXTRA ({url: schema}) available to
    $ref by URL; works with referencing-based and RefResolver-based versions."""
    fc = jsonschema.FormatChecker()
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import specification_with
        resources = []
        for url, s in extra.items():
            spec = specification_with(s.get('$schema', 'https://json-schema.org/draft/2020-12/schema'))
            resources.append((url, Resource(contents=s, specification=spec)))
        registry = Registry().with_resources(resources)
        return cls(schema, registry=registry, format_checker=fc)
    except ImportError:
        resolver = jsonschema.RefResolver.from_schema(schema, store=dict(extra))
        return cls(schema, resolver=resolver, format_checker=fc)


def walk(node, path=''):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + '/' + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + '/' + str(i))
    else:
        yield path, node


def csaf_rules(doc):
    errs = []
    defined = []

    def branches(bs):
        for b in bs or []:
            if 'product' in b:
                defined.append(b['product']['product_id'])
                if b.get('category') == 'product_version' and re.search(
                        r'<|>|\b(after|all|before|earlier|later|prior|versions)\b', b.get('name', ''), re.I):
                    errs.append('6.1.31: product_version %r reads as a range' % b.get('name'))
            branches(b.get('branches'))

    tree = doc.get('product_tree')
    if doc.get('document', {}).get('category') == 'csaf_security_advisory':
        if tree is None:
            errs.append('6.1.27.4: security advisory without product_tree')
        if not doc.get('vulnerabilities'):
            errs.append('6.1.27.3: security advisory without vulnerabilities')
    if tree:
        branches(tree.get('branches'))
        for p in tree.get('full_product_names', []):
            defined.append(p['product_id'])
        for r in tree.get('relationships', []):
            defined.append(r['full_product_name']['product_id'])
    dups = sorted({d for d in defined if defined.count(d) > 1})
    if dups:
        errs.append('6.1.2: product ids defined more than once: %s' % dups)
    known = set(defined)
    cves = []
    groups = {'known_affected': 'affected', 'first_affected': 'affected', 'last_affected': 'affected',
              'known_not_affected': 'not_affected', 'fixed': 'fixed', 'first_fixed': 'fixed',
              'under_investigation': 'under_investigation'}
    for i, v in enumerate(doc.get('vulnerabilities', [])):
        if 'cve' in v:
            if v['cve'] in cves:
                errs.append('6.1.23: %s used twice' % v['cve'])
            cves.append(v['cve'])
        if not v.get('notes'):
            errs.append('6.1.27.5: vulnerability %d without notes' % i)
        ps = v.get('product_status')
        if not ps:
            errs.append('6.1.27.6: vulnerability %d without product_status' % i)
        seen = {}
        for k, ids in (ps or {}).items():
            for pid in ids:
                if pid not in known:
                    errs.append('6.1.1: vulnerability %d: %s: %s not defined' % (i, k, pid))
                g = groups.get(k)
                if g and seen.setdefault(pid, g) != g:
                    errs.append('6.1.6: vulnerability %d: %s both %s and %s' % (i, pid, seen[pid], g))
        for r in v.get('remediations', []):
            if not r.get('product_ids') and not r.get('group_ids'):
                errs.append('6.1.29: vulnerability %d: remediation without products' % i)
            for pid in r.get('product_ids', []):
                if pid not in known:
                    errs.append('6.1.1: vulnerability %d: remediation: %s not defined' % (i, pid))
    tr = doc.get('document', {}).get('tracking', {})
    revs = tr.get('revision_history', [])
    if revs and tr.get('version') != revs[-1].get('number'):
        errs.append('6.1.16: tracking.version %r is not the latest revision %r'
                    % (tr.get('version'), revs[-1].get('number')))
    numbers = [r.get('number') for r in revs]
    if len(set(numbers)) != len(numbers):
        errs.append('6.1.22: revision numbers repeat')
    return errs


def common_checks(doc):
    errs = []
    for path, value in walk(doc):
        key = path.rsplit('/', 1)[-1]
        if not isinstance(value, str):
            continue
        if (key.endswith('date') or key.startswith('date')) and not RFC3339.match(value):
            errs.append('%s: %r is not an RFC 3339 date-time' % (path, value))
        if key in ('url', 'namespace') and not URL.match(value):
            errs.append('%s: %r is not an absolute http(s) URL' % (path, value))
    return errs


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ('csaf', 'cve'):
        print(__doc__, file=sys.stderr)
        return 2
    root, kind, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == 'csaf':
        d = os.path.join(root, 'csaf-2.0')
        schema = load(os.path.join(d, 'csaf_json_schema.json'))
        extra = {'https://www.first.org/cvss/%s' % n: load(os.path.join(d, n))
                 for n in ('cvss-v2.0.json', 'cvss-v3.0.json', 'cvss-v3.1.json')}
        v = validator(schema, jsonschema.Draft202012Validator, extra)
    else:
        schema = load(os.path.join(root, 'cve-5', 'CVE_Record_Format_bundled.json'))
        v = validator(schema, jsonschema.Draft7Validator, {})
    failed = 0
    for f in files:
        try:
            doc = load(f)
        except (OSError, ValueError) as e:
            print('# %s: %s' % (f, e))
            failed += 1
            continue
        errs = ['%s: %s' % ('/'.join(str(p) for p in e.absolute_path), e.message)
                for e in v.iter_errors(doc)]
        errs += common_checks(doc)
        if kind == 'csaf':
            errs += csaf_rules(doc)
        for e in errs:
            print('# %s: %s' % (f, e[:300]))
        failed += bool(errs)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
