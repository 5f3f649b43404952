package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/v2"
)

var durationType = reflect.TypeFor[time.Duration]()

// valueError is returned by the decode hook. Its message is the reason a
// value was refused, without the key, which mapstructure knows instead.
type valueError struct {
	reason string
	err    error
}

func (e *valueError) Error() string { return e.reason }

func (e *valueError) Unwrap() error { return e.err }

func refuse(err error, format string, args ...any) *valueError {
	return &valueError{reason: fmt.Sprintf(format, args...), err: err}
}

// decodeInto copies the settings held by k into out, which must point to a
// Config. strict also rejects keys that match no field; it is used once all
// keys have already been checked, as a safety net.
func decodeInto(k *koanf.Koanf, out *Config, strict bool) []error {
	dc := &mapstructure.DecoderConfig{
		DecodeHook:       mapstructure.DecodeHookFuncType(convertValue),
		ErrorUnused:      strict,
		WeaklyTypedInput: false,
		TagName:          "koanf",
		MatchName:        func(a, b string) bool { return a == b },
	}
	err := k.UnmarshalWithConf("", out, koanf.UnmarshalConf{DecoderConfig: dc})
	if err == nil {
		return nil
	}
	return flattenDecodeError(err)
}

// flattenDecodeError turns the tree of errors produced by mapstructure into
// a list of "key: reason" errors.
func flattenDecodeError(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		var de *mapstructure.DecodeError
		switch x := e.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range x.Unwrap() {
				walk(inner)
			}
			return
		case *mapstructure.DecodeError:
			de = x
		default:
			if inner := errors.Unwrap(e); inner != nil {
				walk(inner)
			} else {
				out = append(out, e)
			}
			return
		}
		inner := de.Unwrap()
		if _, ok := inner.(interface{ Unwrap() []error }); ok {
			walk(inner)
			return
		}
		key := de.Name()
		if key == "" {
			key = "(top level)"
		}
		out = append(out, fmt.Errorf("%s: %w", key, inner))
	}
	walk(err)
	return out
}

// convertValue is a mapstructure hook that converts raw values from YAML,
// environment variables and overrides into the types used by Config. Any
// value it cannot convert is refused with a readable reason.
func convertValue(_ reflect.Type, to reflect.Type, data any) (any, error) {
	if to == durationType {
		return toDuration(data)
	}
	switch to.Kind() {
	case reflect.Struct:
		if _, ok := data.(map[string]any); !ok {
			return nil, refuse(nil, "expected a section of keys, got %s", describe(data))
		}
		return data, nil
	case reflect.Slice:
		if to.Elem().Kind() != reflect.String {
			return data, nil
		}
		return toStrings(data)
	case reflect.String:
		if s, ok := data.(string); ok {
			return s, nil
		}
		return nil, refuse(nil, "expected a string, got %s", describe(data))
	case reflect.Bool:
		return toBool(data)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := toInt(data, to.Bits())
		if err != nil {
			return nil, err
		}
		return reflect.ValueOf(n).Convert(to).Interface(), nil
	default:
		return data, nil
	}
}

func toDuration(data any) (any, error) {
	switch v := data.(type) {
	case time.Duration:
		return v, nil
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return nil, refuse(err, "%q is not a duration; write e.g. 15s, 10m or 720h", v)
		}
		return d, nil
	default:
		return nil, refuse(nil, "expected a duration such as \"15s\", got %s", describe(data))
	}
}

func toStrings(data any) (any, error) {
	switch v := data.(type) {
	case []string:
		return v, nil
	case string:
		out := []string{}
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
		return out, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, refuse(nil, "item %d: expected a string, got %s", i, describe(item))
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, refuse(nil,
			"expected a list of strings or a comma-separated string, got %s", describe(data))
	}
}

func toBool(data any) (any, error) {
	switch v := data.(type) {
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return nil, refuse(err, "%q is not a boolean (use true or false)", v)
		}
		return b, nil
	default:
		return nil, refuse(nil, "expected true or false, got %s", describe(data))
	}
}

func toInt(data any, bits int) (int64, error) {
	var n int64
	switch v := data.(type) {
	case string:
		parsed, err := strconv.ParseInt(strings.TrimSpace(v), 10, bits)
		if err != nil {
			return 0, refuse(err, "%q is not a whole number", v)
		}
		return parsed, nil
	case int:
		n = int64(v)
	case int8:
		n = int64(v)
	case int16:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case uint, uint8, uint16, uint32, uint64:
		u := reflect.ValueOf(v).Uint()
		if u > math.MaxInt64 {
			return 0, refuse(nil, "%d is too large", u)
		}
		n = int64(u)
	case float64:
		if v != math.Trunc(v) || v > math.MaxInt64 || v < math.MinInt64 {
			return 0, refuse(nil, "%v is not a whole number", v)
		}
		n = int64(v)
	default:
		return 0, refuse(nil, "expected a whole number, got %s", describe(data))
	}
	if bits < 64 {
		limit := int64(1) << (bits - 1)
		if n < -limit || n >= limit {
			return 0, refuse(nil, "%d is out of range", n)
		}
	}
	return n, nil
}

// describe names the kind of a raw value for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %t", x)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprintf("the number %d", x)
	case float32, float64:
		return fmt.Sprintf("the number %v", x)
	case map[string]any:
		return "a section of keys"
	case []any, []string:
		return "a list"
	default:
		return fmt.Sprintf("a value of type %T", v)
	}
}
