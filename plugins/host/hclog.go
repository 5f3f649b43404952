package host

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogLogger lets go-plugin log into the server's slog logger. go-plugin
// writes two kinds of lines through it: its own messages about a plugin
// process, and each line the plugin writes to standard error, which it
// parses when the line is hclog JSON (what the SDK's logger writes).
//
// Limitation: go-plugin logs a plain, non-JSON stderr line at debug level
// (error level once it saw a panic), so such lines are hidden at the
// default info level; plugins should log through sdk.Logger.
type slogLogger struct {
	log  *slog.Logger
	name string
	args []any
}

var _ hclog.Logger = (*slogLogger)(nil)

// newSlogLogger returns an hclog.Logger writing to log.
func newSlogLogger(log *slog.Logger) *slogLogger { return &slogLogger{log: log} }

func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Log writes one line at level.
func (l *slogLogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off {
		return
	}
	l.log.Log(context.Background(), slogLevel(level), msg, renameArgs(args)...)
}

// renameArgs renames go-plugin's own "plugin" argument, the executable's
// path, which would otherwise repeat the plugin attribute with another
// meaning.
func renameArgs(args []any) []any {
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == "plugin" {
			args[i] = "executable"
		}
	}
	return args
}

// Trace writes a line below debug level.
func (l *slogLogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }

// Debug writes a debug line.
func (l *slogLogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }

// Info writes an info line.
func (l *slogLogger) Info(msg string, args ...any) { l.Log(hclog.Info, msg, args...) }

// Warn writes a warning.
func (l *slogLogger) Warn(msg string, args ...any) { l.Log(hclog.Warn, msg, args...) }

// Error writes an error line.
func (l *slogLogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

func (l *slogLogger) enabled(level hclog.Level) bool {
	return l.log.Enabled(context.Background(), slogLevel(level))
}

// IsTrace reports whether trace lines are written.
func (l *slogLogger) IsTrace() bool { return l.enabled(hclog.Trace) }

// IsDebug reports whether debug lines are written.
func (l *slogLogger) IsDebug() bool { return l.enabled(hclog.Debug) }

// IsInfo reports whether info lines are written.
func (l *slogLogger) IsInfo() bool { return l.enabled(hclog.Info) }

// IsWarn reports whether warnings are written.
func (l *slogLogger) IsWarn() bool { return l.enabled(hclog.Warn) }

// IsError reports whether error lines are written.
func (l *slogLogger) IsError() bool { return l.enabled(hclog.Error) }

// ImpliedArgs returns the arguments added by With.
func (l *slogLogger) ImpliedArgs() []any { return l.args }

// With returns a logger adding args to every line.
func (l *slogLogger) With(args ...any) hclog.Logger {
	return &slogLogger{log: l.log.With(args...), name: l.name,
		args: append(append([]any(nil), l.args...), args...)}
}

// Name returns the logger's name. Names are kept for go-plugin but not
// written: every line already carries the plugin attribute.
func (l *slogLogger) Name() string { return l.name }

// Named returns a logger whose name has name appended.
func (l *slogLogger) Named(name string) hclog.Logger {
	if l.name != "" {
		name = l.name + "." + name
	}
	return l.ResetNamed(name)
}

// ResetNamed returns a logger named name.
func (l *slogLogger) ResetNamed(name string) hclog.Logger {
	return &slogLogger{log: l.log, name: name, args: l.args}
}

// SetLevel does nothing: the server's log.level decides.
func (l *slogLogger) SetLevel(hclog.Level) {}

// GetLevel returns the lowest level the server's logger writes.
func (l *slogLogger) GetLevel() hclog.Level {
	for _, level := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn} {
		if l.enabled(level) {
			return level
		}
	}
	return hclog.Error
}

// StandardLogger returns a standard library logger writing info lines.
func (l *slogLogger) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return slog.NewLogLogger(l.log.Handler(), slog.LevelInfo)
}

// StandardWriter returns a writer whose lines are logged at info level.
func (l *slogLogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return newLineWriter(l.log, "log")
}
