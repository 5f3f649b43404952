package users

import (
	"database/sql"
	"errors"
)

// errEmailTaken is returned when another account already uses the address.
var errEmailTaken = errors.New("e-mail address already in use")

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
