# syntax=docker/dockerfile:1
FROM golang:1.26-bookworm AS build
# Build with Go 1.27.3: 1.26.8 has standard-library vulnerabilities in code
# anken calls (govulncheck in CI); the go command fetches the toolchain. The
# same release as .ci/run and ciGo in cmd/anken/toolchain.go.
ENV GOTOOLCHAIN=go1.27.3
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# modernc.org/sqlite is pure Go: a static binary needs no cgo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/anken ./cmd/anken && mkdir /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/anken /usr/local/bin/anken
# The SQLite data directory, writable by the nonroot user.
COPY --from=build --chown=65532:65532 /out/data /data
ENV ANKEN_ADDR=0.0.0.0:8080 \
    ANKEN_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/anken"]
CMD ["serve"]
