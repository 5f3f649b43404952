package app

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var kernelSQL embed.FS

// KernelModuleID names the kernel's own migration history: the tables every
// module shares, such as the audit log. They are applied before any module's.
const KernelModuleID = "core"

func kernelMigrations() fs.FS {
	sub, err := fs.Sub(kernelSQL, "migrations")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return sub
}
