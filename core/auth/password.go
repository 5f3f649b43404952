package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrPasswordMismatch is returned by CheckPassword when the password does not
// match the hash.
var ErrPasswordMismatch = errors.New("password does not match")

// PasswordParams are the argon2id cost parameters. They are written into
// every hash, so raising them later leaves existing hashes verifiable.
type PasswordParams struct {
	// MemoryKiB is the memory each hash uses, in KiB.
	MemoryKiB uint32
	// Iterations is the number of passes over the memory.
	Iterations uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultPasswordParams follow the smallest argon2id setting that current
// password-storage guidance recommends: 19 MiB, two passes, one thread. It
// keeps a sign-in near a few tens of milliseconds on a small server.
//
// Limitation: the parameters are fixed in code, not in the configuration,
// and a hash made with older parameters is not upgraded at sign-in.
var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Iterations: 2, Threads: 1}

// MaxPasswordBytes bounds the passwords hashed, so a huge body cannot make
// the server hash megabytes.
const MaxPasswordBytes = 256

const (
	saltBytes = 16
	keyBytes  = 32
	hashID    = "argon2id"
)

// Hasher hashes and checks passwords with argon2id. It lets only a few
// hashes run at once: each one holds MemoryKiB of memory, and a burst of
// sign-ins must not be able to exhaust the server's memory.
type Hasher struct {
	params PasswordParams
	slots  chan struct{}
	// dummy is a hash of a random password, checked when a sign-in names no
	// account so that it costs the same time as a real check.
	dummy string
}

// NewHasher returns a hasher using params for new hashes.
func NewHasher(params PasswordParams) *Hasher {
	h := &Hasher{params: params, slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	var random [24]byte
	_, _ = rand.Read(random[:])
	h.dummy = h.encode(random[:])
	return h
}

// Hash returns the encoded argon2id hash of password, in the usual
// "$argon2id$v=19$m=…,t=…,p=…$salt$key" form.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.encode([]byte(password)), nil
}

// Check reports whether password matches encoded: nil when it does,
// ErrPasswordMismatch when it does not, another error for a malformed hash.
func (h *Hasher) Check(ctx context.Context, encoded, password string) error {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		// An account without a usable hash (such as one created for tests)
		// must not answer faster than a real one.
		h.CheckDummy(ctx, password)
		return err
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Threads,
		uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrPasswordMismatch
	}
	return nil
}

// CheckDummy spends the time of a password check without any account, so
// that an unknown e-mail address answers as slowly as a wrong password.
func (h *Hasher) CheckDummy(ctx context.Context, password string) {
	_ = h.Check(ctx, h.dummy, password)
}

func (h *Hasher) encode(password []byte) string {
	salt := make([]byte, saltBytes)
	_, _ = rand.Read(salt)
	p := h.params
	key := argon2.IDKey(password, salt, p.Iterations, p.MemoryKiB, p.Threads, keyBytes)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", hashID, argon2.Version,
		p.MemoryKiB, p.Iterations, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait to hash a password: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// errMalformedHash hides the stored hash from error messages.
var errMalformedHash = errors.New("stored password hash is not an argon2id hash")

func decodeHash(encoded string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != hashID {
		return p, nil, nil, errMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil ||
		version != argon2.Version {
		return p, nil, nil, errMalformedHash
	}
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Threads)
	if err != nil || p.MemoryKiB == 0 || p.Iterations == 0 || p.Threads == 0 {
		return p, nil, nil, errMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errMalformedHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, errMalformedHash
	}
	return p, salt, key, nil
}
