//go:build race

package interventions_test

const raceEnabled = true
