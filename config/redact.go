package config

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// redactedText replaces secret values in printed configuration.
const redactedText = "[redacted]"

// entry is one key of the configuration tree, in declaration order. A
// section has children; a leaf has a value.
type entry struct {
	key      string
	value    any
	children []entry
	section  bool
}

// leafFunc renders the value of a leaf found at a dotted path. Returning
// false leaves the key out.
type leafFunc func(path string, v reflect.Value) (any, bool)

// walkStruct lists the koanf-tagged fields of a struct value as entries,
// descending into nested structs.
func walkStruct(v reflect.Value, prefix string, leaf leafFunc) []entry {
	t := v.Type()
	var out []entry
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("koanf")
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		path := joinKey(prefix, tag)
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && f.Type != durationType {
			out = append(out, entry{
				key: tag, section: true, children: walkStruct(fv, path, leaf),
			})
			continue
		}
		if value, ok := leaf(path, fv); ok {
			out = append(out, entry{key: tag, value: value})
		}
	}
	return out
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// entriesToMap converts entries to a nested map.
func entriesToMap(entries []entry) map[string]any {
	m := make(map[string]any, len(entries))
	for _, e := range entries {
		if e.section {
			m[e.key] = entriesToMap(e.children)
		} else {
			m[e.key] = e.value
		}
	}
	return m
}

// rawLeaf keeps a leaf's Go value, copying slices and leaving out nil ones
// and empty maps. It is used to feed the defaults to koanf.
func rawLeaf(_ string, v reflect.Value) (any, bool) {
	if v.Kind() == reflect.Map && v.Len() == 0 {
		return nil, false
	}
	if v.Kind() == reflect.Slice {
		if v.IsNil() {
			return nil, false
		}
		if v.Type() == pluginsType {
			return printPlugins(v.Interface().([]Plugin)), true
		}
		return append([]string(nil), v.Interface().([]string)...), true
	}
	return v.Interface(), true
}

// printLeaf renders a leaf for people: durations as text such as "15s",
// secrets hidden. A nil list stays nil so that it prints as null.
func printLeaf(path string, v reflect.Value) (any, bool) {
	name := path[strings.LastIndex(path, ".")+1:]
	switch {
	case v.Type() == durationType:
		return formatDuration(time.Duration(v.Int())), true
	case v.Type() == pluginsType:
		return printPlugins(v.Interface().([]Plugin)), true
	case v.Kind() == reflect.Slice:
		if v.IsNil() {
			return nil, true
		}
		return append([]string(nil), v.Interface().([]string)...), true
	case v.Kind() == reflect.Map:
		return printMap(v.Interface().(map[string][]string)), true
	case v.Kind() == reflect.String:
		s := v.String()
		if s != "" && looksSecret(name) {
			return redactedText, true
		}
		if name == "url" || strings.HasSuffix(name, "_url") {
			return redactURL(s), true
		}
		return s, true
	default:
		return v.Interface(), true
	}
}

// printMap renders a map of lists, such as auth.grants, as a section; an
// empty map prints as null, like an empty list, so that it reads back the
// same.
func printMap(m map[string][]string) any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// looksSecret reports whether a lower-case key names a secret: "secret",
// "password", "passwd" or "token", alone or as the last word of a
// snake_case name such as jwt_secret.
func looksSecret(name string) bool {
	last := name[strings.LastIndex(name, "_")+1:]
	switch last {
	case "secret", "password", "passwd", "token":
		return true
	}
	return strings.HasSuffix(name, "password")
}

// formatDuration prints a duration without trailing zero units, so
// 720h0m0s becomes 720h and 10m0s becomes 10m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Redacted returns the effective configuration as a nested map keyed like
// the YAML file. Durations appear as strings such as "15s", secret values
// (keys such as jwt_secret) as "[redacted]", and the password inside a URL
// is replaced by "[redacted]" too. Empty secrets stay empty so that a
// missing secret is visible.
func (c *Config) Redacted() map[string]any {
	return entriesToMap(walkStruct(reflect.ValueOf(c).Elem(), "", printLeaf))
}

// YAML renders Redacted as YAML, keys in declaration order, in the layout
// of a configuration file. Without secrets it can be read back by Load.
func (c *Config) YAML() ([]byte, error) {
	node, err := entriesToNode(walkStruct(reflect.ValueOf(c).Elem(), "", printLeaf))
	if err != nil {
		return nil, fmt.Errorf("config: render YAML: %w", err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, fmt.Errorf("config: render YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: render YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// entriesToNode builds a YAML mapping node that keeps the entries' order.
func entriesToNode(entries []entry) (*yaml.Node, error) {
	node := &yaml.Node{Kind: yaml.MappingNode}
	for _, e := range entries {
		key := &yaml.Node{Kind: yaml.ScalarNode, Value: e.key}
		var value *yaml.Node
		if e.section {
			child, err := entriesToNode(e.children)
			if err != nil {
				return nil, err
			}
			value = child
		} else {
			value = &yaml.Node{}
			if err := value.Encode(e.value); err != nil {
				return nil, fmt.Errorf("%s: %w", e.key, err)
			}
			if value.Kind == yaml.SequenceNode {
				value.Style = yaml.FlowStyle
			}
		}
		node.Content = append(node.Content, key, value)
	}
	return node, nil
}
