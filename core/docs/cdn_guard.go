//go:build swguicdn

package docs

// The swguicdn build tag makes the swgui module load Swagger UI from a public CDN
// instead of its embedded copy, which breaks the documentation on machines without
// internet access. This file only exists in such builds and refers to a name that is
// never defined, so that the build stops with an error that explains itself.
var _ = buildTagSwguicdnIsNotAllowedDocsMustWorkOffline
