// The off-the-shelf peer for bench/run: Benthos v4.27.0, the last MIT release of the project that
// Redpanda Connect continues (same kafka_franz output and http_server input). Only the components
// the benchmark uses are linked in. Built by bench/run into .cache/bench/bin/benthos.
package main

import (
	"context"

	"github.com/benthosdev/benthos/v4/public/service"

	_ "github.com/benthosdev/benthos/v4/public/components/io"
	_ "github.com/benthosdev/benthos/v4/public/components/kafka"
	_ "github.com/benthosdev/benthos/v4/public/components/pure"
)

func main() { service.RunCLI(context.Background()) }
