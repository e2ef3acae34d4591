package web

// MePatterns are the patterns of every /me route, for the authorization
// test to check it covers them all.
func MePatterns() []string {
	out := make([]string, len(meRoutes))
	for i, rt := range meRoutes {
		out[i] = rt.Pattern
	}
	return out
}

// ConsolePatterns are the patterns of every agency console route that
// needs a session, for the authorization test to check it covers them all.
func ConsolePatterns() []string {
	out := make([]string, len(consoleRoutes))
	for i, rt := range consoleRoutes {
		out[i] = rt.Pattern
	}
	return out
}
