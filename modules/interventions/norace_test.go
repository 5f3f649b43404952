//go:build !race

package interventions_test

const raceEnabled = false
