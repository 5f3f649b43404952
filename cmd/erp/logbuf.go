package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushInterval bounds how long a log line may wait in the buffer.
const logFlushInterval = 100 * time.Millisecond

// bufferedLog batches log lines into fewer writes. A busy server writes one
// access-log line per request, and a write system call per line costs more
// than formatting it. Lines reach the output within logFlushInterval, and
// everything is flushed when the command ends; a process killed outright
// loses at most that interval's lines.
type bufferedLog struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newBufferedLog(out io.Writer) *bufferedLog {
	b := &bufferedLog{w: bufio.NewWriterSize(out, 64<<10), stop: make(chan struct{}),
		done: make(chan struct{})}
	go b.flushLoop()
	return b
}

// Write buffers p; slog handlers call it once per record.
func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *bufferedLog) flush() {
	b.mu.Lock()
	_ = b.w.Flush()
	b.mu.Unlock()
}

func (b *bufferedLog) flushLoop() {
	defer close(b.done)
	t := time.NewTicker(logFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.flush()
		case <-b.stop:
			b.flush()
			return
		}
	}
}

// Close flushes what is buffered and stops the flusher.
func (b *bufferedLog) Close() {
	close(b.stop)
	<-b.done
}
