package main

// tracker turns a series of check results into a reported status that
// does not flap: a healthy service is reported failing only after
// failureThreshold failures in a row, and a failing one healthy only after
// successThreshold successes in a row, as Kubernetes probes do. The first
// result is reported as it is. While failing, a new kind of failure
// (connection_failed, then unhealthy) is reported at once: the service is
// failing either way.
type tracker struct {
	failureThreshold int
	successThreshold int

	reported Status // empty before the first result
	run      int    // results in a row with the same health as the last
	lastOK   bool
}

// observe records one result. It reports whether the reported status
// changed, the status before, and how many results in a row have had the
// health of this one.
func (t *tracker) observe(s Status) (changed bool, previous Status, run int) {
	ok := s == StatusHealthy
	if t.reported != "" && ok == t.lastOK {
		t.run++
	} else {
		t.run = 1
	}
	t.lastOK = ok
	previous = t.reported
	switch {
	case t.reported == "":
		t.reported = s
	case t.reported == StatusHealthy && !ok && t.run >= t.failureThreshold:
		t.reported = s
	case t.reported != StatusHealthy && ok && t.run >= t.successThreshold:
		t.reported = s
	case t.reported != StatusHealthy && !ok:
		t.reported = s
	}
	return t.reported != previous, previous, t.run
}
