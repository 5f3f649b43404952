package httpx

import (
	"net/http"
	"strconv"
	"strings"
)

// ETag returns the entity tag of a resource at version. Resources carry an
// integer version bumped by every write, so the tag is that number quoted:
// "3".
func ETag(version int) string {
	return `"` + strconv.Itoa(version) + `"`
}

// SetETag sets the ETag header of an answer describing a resource at
// version.
func SetETag(w http.ResponseWriter, version int) {
	w.Header().Set("ETag", ETag(version))
}

// CheckIfMatch compares the request's If-Match header with the resource's
// current version. No header means the client does not ask for the check;
// "*" matches any existing resource. Anything else that names no current
// tag, weak tags included (If-Match uses the strong comparison), is a 412.
func CheckIfMatch(r *http.Request, version int) error {
	header := strings.TrimSpace(r.Header.Get("If-Match"))
	if header == "" || header == "*" {
		return nil
	}
	current := ETag(version)
	for tag := range strings.SplitSeq(header, ",") {
		if strings.TrimSpace(tag) == current {
			return nil
		}
	}
	return PreconditionFailed(version)
}

// PreconditionFailed returns a 412 telling the client that the resource
// changed since it was read, with the current ETag so it can re-read.
func PreconditionFailed(version int) *Error {
	h := http.Header{}
	h.Set("ETag", ETag(version))
	return &Error{
		Status: http.StatusPreconditionFailed,
		Detail: "La ressource a été modifiée depuis votre lecture (If-Match périmé) ; " +
			"relisez-la puis recommencez.",
		Extra:  map[string]any{"version": version},
		Header: h,
	}
}
