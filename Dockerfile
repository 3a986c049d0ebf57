# The orgctl container image: a static (musl) binary on Alpine with CA certificates (the AWS
# SDK verifies TLS against the system's roots) and a shell, so a CI job can use it as its
# image (GitLab `image:` with `entrypoint: [""]`) as well as `docker run`.
#
#   docker build -t orgctl .
#   docker run --rm -v "$PWD:/work" -e AWS_PROFILE -v ~/.aws:/home/orgctl/.aws:ro orgctl plan -f org.yaml
#
# Build stage: Alpine's Rust target is musl, so the binary needs no libc at run time.
FROM rust:1.95-alpine3.22 AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
# Dependencies first: a source change does not rebuild the SDK crates.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked --bin orgctl \
    && rm -rf src
COPY src ./src
# The commit --version names (no .git in the image's context): docker build --build-arg
# ORGCTL_COMMIT=$(git rev-parse --short=12 HEAD) .
ARG ORGCTL_COMMIT="unknown commit"
ENV ORGCTL_COMMIT=$ORGCTL_COMMIT
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin orgctl \
    && ./target/release/orgctl --version

FROM alpine:3.22
RUN apk add --no-cache ca-certificates \
    && adduser -D -u 10001 orgctl
COPY --from=build /src/target/release/orgctl /usr/local/bin/orgctl
USER orgctl
WORKDIR /work
ENTRYPOINT ["orgctl"]
CMD ["--help"]
