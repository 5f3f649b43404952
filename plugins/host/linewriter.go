package host

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
)

// maxLine bounds the bytes kept while waiting for the end of a line.
const maxLine = 64 << 10

// lineWriter logs each line written to it at info level, with a stream
// attribute. It receives what a plugin writes to its standard output or
// error after the handshake, which go-plugin forwards over gRPC.
type lineWriter struct {
	log *slog.Logger

	mu  sync.Mutex
	buf []byte
}

func newLineWriter(log *slog.Logger, stream string) *lineWriter {
	return &lineWriter{log: log.With(slog.String("stream", stream))}
}

// Write logs every complete line of p and keeps the rest for later.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > maxLine {
		w.emit(w.buf)
		w.buf = nil
	}
	return len(p), nil
}

func (w *lineWriter) emit(line []byte) {
	line = bytes.TrimRight(line, "\r")
	if len(line) == 0 {
		return
	}
	w.log.LogAttrs(context.Background(), slog.LevelInfo, "plugin output",
		slog.String("line", string(line)))
}
