package sdk

import (
	"context"
	"io"
	"log/slog"
	"os"
)

// hclogTime is the timestamp layout go-plugin's host expects in a JSON log
// line; a line whose timestamp does not parse loses its level.
const hclogTime = "2006-01-02T15:04:05.000000Z07:00"

// logOutput is the process's standard error as it was at start-up.
// go-plugin later points os.Stderr at a pipe forwarded over gRPC, so the
// file is captured here, before Serve, and logs keep reaching the host's
// log through the plain stderr pipe.
var logOutput io.Writer = os.Stderr

// logger is the plugin's structured logger, writing to logOutput.
var logger = newLogger(logOutput)

// Logger returns the plugin's logger. Its lines go to standard error as
// JSON that the host reads and re-logs with its own level filter, tagged
// with the plugin's name.
func Logger() *slog.Logger { return logger }

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       slog.LevelDebug,
		ReplaceAttr: hclogAttr,
	}))
}

// hclogAttr renames slog's built-in keys to the ones go-plugin parses.
func hclogAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String("@timestamp", a.Value.Time().Format(hclogTime))
	case slog.LevelKey:
		return slog.String("@level", hclogLevel(a.Value.Any()))
	case slog.MessageKey:
		return slog.String("@message", a.Value.String())
	}
	return a
}

func hclogLevel(v any) string {
	l, ok := v.(slog.Level)
	if !ok {
		return "info"
	}
	switch {
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	}
	return "error"
}

// fatal logs msg and ends the process; used before Serve only.
func fatal(msg string, attrs ...slog.Attr) {
	logger.LogAttrs(context.Background(), slog.LevelError, msg, attrs...)
	os.Exit(1)
}
