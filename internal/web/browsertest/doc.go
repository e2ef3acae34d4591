// Package browsertest holds anken's browser tests; it has no code of its
// own. The tests build the anken binary, start `anken serve --demo` on a
// free port in a temporary directory and drive headless Chromium over the
// DevTools protocol (chromedp): the search flow with JavaScript and
// without it, an axe-core accessibility check of each page at phone and
// desktop widths, and, with -screenshots, the PNG screenshots in
// docs/screenshots.
//
//	go test ./internal/web/browsertest                 # the tests
//	go test ./internal/web/browsertest -screenshots    # and write docs/screenshots/*.png
//
// They need Chromium ($CHROME, else /usr/bin/chromium; Debian: apt-get
// install chromium fonts-noto-cjk) and axe-core (npm ci --prefix
// tools/axe). Without them the tests skip, except under CI=true, where a
// missing browser or axe-core fails them. -short skips them too.
package browsertest
