#!/usr/bin/env python3
"""Generates skiff-api's protobuf schema table from the Kubernetes API definitions.

Kubernetes clients (kubectl's typed clients among them) send request bodies as protobuf. To decode
them, Skiff needs each message's field numbers, types and JSON names: facts of the wire format. This
script reads them from checkouts of k8s.io/api and k8s.io/apimachinery (generated.proto for numbers
and types, types.go for the JSON names and inlined structs) and writes one compact JSON table.

Usage: tools/gen-protobuf-schema.py API_CHECKOUT APIMACHINERY_CHECKOUT OUT.json
"""
import json
import os
import re
import sys

FIELD = re.compile(
    r'^\s*(optional|repeated|required)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;')
SCALARS = {'string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'double',
           'float', 'bytes', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64'}


def parse_proto(text):
    """Yields (package, messages) where messages maps name -> dict(fields, nullable)."""
    package = re.search(r'^package ([\w.]+);', text, re.M).group(1)
    messages = {}
    name = None
    pending_comments = []
    depth = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith('//'):
            if depth == 0:
                pending_comments.append(stripped)
            continue
        m = re.match(r'^message (\w+) \{', stripped)
        if m and depth == 0:
            name = m.group(1)
            messages[name] = {
                'fields': {},
                'nullable': any('+protobuf.nullable=true' in c for c in pending_comments),
            }
            pending_comments = []
            depth = 1
            continue
        if depth == 0:
            if stripped:
                pending_comments = []
            continue
        if stripped == '}':
            depth -= 1
            continue
        f = FIELD.match(line)
        if f and name:
            label, typ, key, value, fname, number = f.groups()
            if key:
                typ = 'map:%s:%s' % (qualify(key, package), qualify(value, package))
            else:
                typ = qualify(typ, package)
            messages[name]['fields'][int(number)] = {
                'proto': fname, 'type': typ, 'repeated': label == 'repeated'}
    return package, messages


def qualify(typ, package):
    if typ in SCALARS:
        return typ
    if typ.startswith('.'):
        return 'm:' + typ[1:]
    return 'm:' + package + '.' + typ


GO_FIELD = re.compile(
    r'^\s*(?:\w+\s+)?(\S+)\s+`json:"([^",]*)([^"]*)"\s+protobuf:"[^"]*?,(\d+),')
GO_STRUCT = re.compile(r'^type (\w+) struct \{')


def parse_go_json_names(text):
    """Maps Go struct name -> {protobuf number: (json name or '' when inlined, flags)}.

    Flags: 'o' when the JSON tag has omitempty, 'p' when the Go field is a pointer. The decoder
    needs them to drop the zero values gogo-protobuf always writes for non-pointer fields, as a
    JSON encoding of the same Go struct would.
    """
    structs = {}
    current = None
    for line in text.splitlines():
        m = GO_STRUCT.match(line)
        if m:
            current = structs.setdefault(m.group(1), {})
            continue
        if line.startswith('}'):
            current = None
            continue
        if current is not None:
            f = GO_FIELD.search(line)
            if f:
                go_type, json_name, options, number = f.groups()
                flags = ('o' if 'omitempty' in options else '') + (
                    'p' if go_type.startswith('*') else '')
                current[int(number)] = (json_name, flags)
    return structs


def group_name(directory):
    for doc in ('doc.go', 'register.go'):
        path = os.path.join(directory, doc)
        if os.path.exists(path):
            text = open(path).read()
            m = re.search(r'\+groupName=([\w.]*)', text) or re.search(
                r'GroupName\s*=\s*"([\w.]*)"', text)
            if m:
                return m.group(1)
    return None


def main(api, apimachinery, out):
    packages = {}
    schema = {'messages': {}, 'groups': {}}
    roots = [(api, None)] + [(os.path.join(apimachinery, p), None) for p in (
        'pkg/apis/meta/v1', 'pkg/runtime', 'pkg/runtime/schema', 'pkg/api/resource',
        'pkg/util/intstr')]
    proto_files = []
    for root, _ in roots:
        if root == api:
            for dirpath, _, files in os.walk(api):
                if 'generated.proto' in files and '.git' not in dirpath:
                    proto_files.append(dirpath)
        else:
            proto_files.append(root)
    for directory in sorted(proto_files):
        package, messages = parse_proto(open(os.path.join(directory, 'generated.proto')).read())
        go_names = {}
        for go in os.listdir(directory):
            if go.endswith('.go') and not go.endswith('_test.go') and not go.startswith('zz_'):
                go_names.update(parse_go_json_names(open(os.path.join(directory, go)).read()))
        group = group_name(directory)
        if directory.startswith(api) and group is not None:
            version = os.path.basename(directory)
            schema['groups'][(group + '/' if group else '') + version] = package
        for name, message in messages.items():
            names = go_names.get(name, {})
            fields = {}
            for number, field in message['fields'].items():
                json_name, flags = names.get(number, (field['proto'], 'o'))
                fields[str(number)] = [
                    json_name, field['type'], 1 if field['repeated'] else 0, flags]
            entry = {'f': fields}
            if message['nullable']:
                entry['nullable'] = 1
            schema['messages'][package + '.' + name] = entry
    with open(out, 'w') as f:
        json.dump(schema, f, separators=(',', ':'), sort_keys=True)
        f.write('\n')
    print('%d messages, %d group versions -> %s' % (
        len(schema['messages']), len(schema['groups']), out), file=sys.stderr)


if __name__ == '__main__':
    main(*sys.argv[1:4])
