package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// DefaultFile is the file Load reads when Options.File is empty, relative to
// the working directory. A missing default file is not an error.
const DefaultFile = "erp.yaml"

// EnvPrefix starts the name of every environment variable Load reads.
const EnvPrefix = "ERP_"

// Options tells Load where to find settings.
type Options struct {
	// File is an explicit configuration file, usually from --config. It
	// must exist. When empty, DefaultFile is read if it exists.
	File string
	// Environ lists environment entries as KEY=value, usually
	// os.Environ(). Only entries starting with EnvPrefix are used; nil
	// means no environment at all, never the process environment.
	Environ []string
	// Overrides maps dotted keys such as "http.addr" to values, usually
	// from command-line flags. They beat every other layer.
	Overrides map[string]any
}

// Load builds the configuration from defaults, the YAML file, the
// environment and the overrides, in that order, then validates it. Every
// problem found is reported, naming the key and where it came from.
func Load(opts Options) (*Config, error) {
	return load(opts, DefaultFile)
}

// load is Load with the fallback file name made explicit for tests.
func load(opts Options, fallback string) (*Config, error) {
	k := koanf.New(".")
	defaults := entriesToMap(walkStruct(reflect.ValueOf(Default()).Elem(), "", rawLeaf))
	for _, key := range profileKeys {
		deleteKey(defaults, key)
	}
	if err := k.Load(confmap.Provider(defaults, ""), nil); err != nil {
		return nil, fmt.Errorf("config: load defaults: %w", err)
	}

	path, err := choosePath(opts.File, fallback)
	if err != nil {
		return nil, err
	}

	var problems []error
	if path != "" {
		layer, err := readFile(path)
		if err != nil {
			return nil, err
		}
		errs := checkLayer(layer, func(string) string { return "" })
		problems = appendGroup(problems, fmt.Sprintf("config: file %q", path), errs)
		if err := mergeLayer(k, layer); err != nil {
			return nil, err
		}
	}

	envLayer, envNames, err := readEnv(opts.Environ)
	if err != nil {
		return nil, err
	}
	errs := checkLayer(envLayer, func(key string) string {
		if names := namesUnder(envNames, key); len(names) > 0 {
			return " (from " + strings.Join(names, ", ") + ")"
		}
		return ""
	})
	problems = appendGroup(problems, "config: environment", errs)
	if err := mergeLayer(k, envLayer); err != nil {
		return nil, err
	}

	flagLayer := koanf.New(".")
	if err := flagLayer.Load(confmap.Provider(opts.Overrides, "."), nil); err != nil {
		return nil, fmt.Errorf("config: read overrides: %w", err)
	}
	errs = checkLayer(flagLayer, func(string) string { return "" })
	problems = appendGroup(problems, "config: overrides", errs)
	if err := mergeLayer(k, flagLayer); err != nil {
		return nil, err
	}

	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}

	cfg := &Config{}
	if errs := decodeInto(k, cfg, true); len(errs) > 0 {
		return nil, groupError("config: decode settings", errs)
	}
	cfg.applyProfileDefaults(func(key string) bool { return k.Get(key) != nil })
	cfg.source = path
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// choosePath picks the configuration file to read, or "" for none.
func choosePath(explicit, fallback string) (string, error) {
	if explicit != "" {
		info, err := os.Stat(explicit)
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config: configuration file %q does not exist: %w",
				explicit, err)
		}
		if err != nil {
			return "", fmt.Errorf("config: configuration file %q: %w", explicit, err)
		}
		if info.IsDir() {
			return "", fmt.Errorf("config: configuration file %q is a directory", explicit)
		}
		return explicit, nil
	}
	info, err := os.Stat(fallback)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("config: default configuration file %q: %w", fallback, err)
	}
	if info.IsDir() {
		return "", fmt.Errorf("config: default configuration file %q is a directory", fallback)
	}
	return fallback, nil
}

// readFile reads and parses a YAML configuration file into its own layer.
func readFile(path string) (*koanf.Koanf, error) {
	raw, err := file.Provider(path).ReadBytes()
	if err != nil {
		return nil, fmt.Errorf("config: read file %q: %w", path, err)
	}
	m, err := yaml.Parser().Unmarshal(raw)
	if err != nil {
		return nil, fmt.Errorf("config: file %q is not valid YAML: %w", path, err)
	}
	layer := koanf.New(".")
	if err := layer.Load(confmap.Provider(m, ""), nil); err != nil {
		return nil, fmt.Errorf("config: load file %q: %w", path, err)
	}
	return layer, nil
}

// readEnv turns ERP_* variables into a layer. It also returns, for each
// dotted key, the name of the variable that set it.
func readEnv(environ []string) (*koanf.Koanf, map[string]string, error) {
	names := map[string]string{}
	provider := env.Provider(".", env.Opt{
		Prefix: EnvPrefix,
		TransformFunc: func(name, value string) (string, any) {
			key := envKey(name)
			if key != "" {
				names[key] = name
			}
			return key, value
		},
		EnvironFunc: func() []string { return environ },
	})
	layer := koanf.New(".")
	if err := layer.Load(provider, nil); err != nil {
		return nil, nil, fmt.Errorf("config: read environment: %w", err)
	}
	return layer, names, nil
}

// envKey maps a variable name such as ERP_DATABASE__AUTO_MIGRATE to the
// dotted key database.auto_migrate. Single underscores are kept, double
// ones separate levels. It returns "" for names that are only the prefix.
func envKey(name string) string {
	rest, ok := strings.CutPrefix(name, EnvPrefix)
	if !ok || rest == "" {
		return ""
	}
	return strings.ReplaceAll(strings.ToLower(rest), "__", ".")
}

// namesUnder returns, sorted, the variable names that set key or a key
// below it.
func namesUnder(names map[string]string, key string) []string {
	key, _, _ = strings.Cut(key, "[")
	var out []string
	for k, name := range names {
		if k == key || strings.HasPrefix(k, key+".") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// checkLayer reports unknown keys and values of the wrong type in a single
// layer, so each problem can be blamed on its source. suffix adds a note
// to the message of a problem at a given key.
func checkLayer(layer *koanf.Koanf, suffix func(key string) string) []error {
	var errs []error
	for _, key := range unknownKeys(layer.Raw(), reflect.TypeFor[Config](), "") {
		errs = append(errs, fmt.Errorf("unknown configuration key %q%s", key, suffix(key)))
	}
	pruned := koanf.New(".")
	if err := pruned.Load(confmap.Provider(dropNulls(layer.Raw()), ""), nil); err != nil {
		return append(errs, err)
	}
	for _, err := range decodeInto(pruned, &Config{}, false) {
		key, _, _ := strings.Cut(err.Error(), ":")
		if note := suffix(key); note != "" {
			err = fmt.Errorf("%w%s", err, note)
		}
		errs = append(errs, err)
	}
	return errs
}

// mergeLayer adds a checked layer on top of k. Null values are dropped
// first: an empty key in YAML means "not set", so it never wipes out a
// default or a whole section.
func mergeLayer(k, layer *koanf.Koanf) error {
	if err := k.Load(confmap.Provider(dropNulls(layer.Raw()), ""), nil); err != nil {
		return fmt.Errorf("config: merge settings: %w", err)
	}
	return nil
}

// unknownKeys lists, sorted, the dotted keys of m that match no field of
// the struct type t. An unknown section is reported once, not key by key.
func unknownKeys(m map[string]any, t reflect.Type, prefix string) []string {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if tag := f.Tag.Get("koanf"); f.IsExported() && tag != "" && tag != "-" {
			fields[tag] = f.Type
		}
	}
	var out []string
	for _, key := range slices.Sorted(maps.Keys(m)) {
		path := joinKey(prefix, key)
		ft, ok := fields[key]
		if !ok {
			out = append(out, path)
			continue
		}
		sub, isMap := m[key].(map[string]any)
		if isMap && ft.Kind() == reflect.Struct && ft != durationType {
			out = append(out, unknownKeys(sub, ft, path)...)
		}
	}
	return out
}

// dropNulls returns a copy of m without nil values, at every depth.
func dropNulls(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case nil:
		case map[string]any:
			out[k] = dropNulls(x)
		default:
			out[k] = v
		}
	}
	return out
}

// deleteKey removes a dotted key from a nested map.
func deleteKey(m map[string]any, key string) {
	parent, last, found := strings.Cut(key, ".")
	if !found {
		delete(m, key)
		return
	}
	if sub, ok := m[parent].(map[string]any); ok {
		deleteKey(sub, last)
	}
}

// groupError joins errors under a heading: on one line for a single error,
// one per line otherwise.
func groupError(heading string, errs []error) error {
	if len(errs) == 1 {
		return fmt.Errorf("%s: %w", heading, errs[0])
	}
	return fmt.Errorf("%s:\n%w", heading, errors.Join(errs...))
}

func appendGroup(all []error, heading string, errs []error) []error {
	if len(errs) == 0 {
		return all
	}
	return append(all, groupError(heading, errs))
}
