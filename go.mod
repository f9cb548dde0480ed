module github.com/perfgate/perfgate

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/google/go-github/v62 v62.0.0
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/oauth2 v0.38.0
)

require github.com/google/go-querystring v1.1.0 // indirect
