//! The `--help` texts of the commands the console takes: the docker CLI 28.2.2's own words, as
//! `docker COMMAND --help` prints them (copied from it; `crates/server/tests/console.rs` compares
//! every one with the real CLI's output, so a drift fails the tests).

/// `docker images --help`.
pub(super) const IMAGES: &str = r#"Usage:  docker images [OPTIONS] [REPOSITORY[:TAG]]

List images

Aliases:
  docker image ls, docker image list, docker images

Options:
  -a, --all             Show all images (default hides intermediate images)
      --digests         Show digests
  -f, --filter filter   Filter output based on conditions provided
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
      --no-trunc        Don't truncate output
  -q, --quiet           Only show image IDs
      --tree            List multi-platform images as a tree (EXPERIMENTAL)
"#;

/// `docker image ls --help`.
pub(super) const IMAGE_LS: &str = r#"Usage:  docker image ls [OPTIONS] [REPOSITORY[:TAG]]

List images

Aliases:
  docker image ls, docker image list, docker images

Options:
  -a, --all             Show all images (default hides intermediate images)
      --digests         Show digests
  -f, --filter filter   Filter output based on conditions provided
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
      --no-trunc        Don't truncate output
  -q, --quiet           Only show image IDs
      --tree            List multi-platform images as a tree (EXPERIMENTAL)
"#;

/// `docker history --help`.
pub(super) const HISTORY: &str = r#"Usage:  docker history [OPTIONS] IMAGE

Show the history of an image

Aliases:
  docker image history, docker history

Options:
      --format string     Format output using a custom template:
                          'table':            Print output in table
                          format with column headers (default)
                          'table TEMPLATE':   Print output in table
                          format using the given Go template
                          'json':             Print in JSON format
                          'TEMPLATE':         Print output using the
                          given Go template.
                          Refer to https://docs.docker.com/go/formatting/
                          for more information about formatting output
                          with templates
  -H, --human             Print sizes and dates in human readable format
                          (default true)
      --no-trunc          Don't truncate output
      --platform string   Show history for the given platform. Formatted
                          as "os[/arch[/variant]]" (e.g., "linux/amd64")
  -q, --quiet             Only show image IDs
"#;

/// `docker image history --help`.
pub(super) const IMAGE_HISTORY: &str = r#"Usage:  docker image history [OPTIONS] IMAGE

Show the history of an image

Aliases:
  docker image history, docker history

Options:
      --format string     Format output using a custom template:
                          'table':            Print output in table
                          format with column headers (default)
                          'table TEMPLATE':   Print output in table
                          format using the given Go template
                          'json':             Print in JSON format
                          'TEMPLATE':         Print output using the
                          given Go template.
                          Refer to https://docs.docker.com/go/formatting/
                          for more information about formatting output
                          with templates
  -H, --human             Print sizes and dates in human readable format
                          (default true)
      --no-trunc          Don't truncate output
      --platform string   Show history for the given platform. Formatted
                          as "os[/arch[/variant]]" (e.g., "linux/amd64")
  -q, --quiet             Only show image IDs
"#;

/// `docker inspect --help`.
pub(super) const INSPECT: &str = r#"Usage:  docker inspect [OPTIONS] NAME|ID [NAME|ID...]

Return low-level information on Docker objects

Options:
  -f, --format string   Format output using a custom template:
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
  -s, --size            Display total file sizes if the type is container
      --type string     Only inspect objects of the given type
"#;

/// `docker image inspect --help`.
pub(super) const IMAGE_INSPECT: &str = r#"Usage:  docker image inspect [OPTIONS] IMAGE [IMAGE...]

Display detailed information on one or more images

Options:
  -f, --format string     Format output using a custom template:
                          'json':             Print in JSON format
                          'TEMPLATE':         Print output using the
                          given Go template.
                          Refer to https://docs.docker.com/go/formatting/
                          for more information about formatting output
                          with templates
      --platform string   Inspect a specific platform of the
                          multi-platform image.
                          If the image or the server is not
                          multi-platform capable, the command will error
                          out if the platform does not match.
                          'os[/arch[/variant]]': Explicit platform (eg.
                          linux/amd64)
"#;

/// `docker rmi --help`.
pub(super) const RMI: &str = r#"Usage:  docker rmi [OPTIONS] IMAGE [IMAGE...]

Remove one or more images

Aliases:
  docker image rm, docker image remove, docker rmi

Options:
  -f, --force              Force removal of the image
      --no-prune           Do not delete untagged parents
      --platform strings   Remove only the given platform variant.
                           Formatted as "os[/arch[/variant]]" (e.g.,
                           "linux/amd64")
"#;

/// `docker image rm --help`.
pub(super) const IMAGE_RM: &str = r#"Usage:  docker image rm [OPTIONS] IMAGE [IMAGE...]

Remove one or more images

Aliases:
  docker image rm, docker image remove, docker rmi

Options:
  -f, --force              Force removal of the image
      --no-prune           Do not delete untagged parents
      --platform strings   Remove only the given platform variant.
                           Formatted as "os[/arch[/variant]]" (e.g.,
                           "linux/amd64")
"#;

/// `docker tag --help`.
pub(super) const TAG: &str = r#"Usage:  docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]

Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

Aliases:
  docker image tag, docker tag
"#;

/// `docker image tag --help`.
pub(super) const IMAGE_TAG: &str = r#"Usage:  docker image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]

Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

Aliases:
  docker image tag, docker tag
"#;

/// `docker ps --help`.
pub(super) const PS: &str = r#"Usage:  docker ps [OPTIONS]

List containers

Aliases:
  docker container ls, docker container list, docker container ps, docker ps

Options:
  -a, --all             Show all containers (default shows just running)
  -f, --filter filter   Filter output based on conditions provided
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
  -n, --last int        Show n last created containers (includes all
                        states) (default -1)
  -l, --latest          Show the latest created container (includes all
                        states)
      --no-trunc        Don't truncate output
  -q, --quiet           Only display container IDs
  -s, --size            Display total file sizes
"#;

/// `docker container ls --help`.
pub(super) const CONTAINER_LS: &str = r#"Usage:  docker container ls [OPTIONS]

List containers

Aliases:
  docker container ls, docker container list, docker container ps, docker ps

Options:
  -a, --all             Show all containers (default shows just running)
  -f, --filter filter   Filter output based on conditions provided
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
  -n, --last int        Show n last created containers (includes all
                        states) (default -1)
  -l, --latest          Show the latest created container (includes all
                        states)
      --no-trunc        Don't truncate output
  -q, --quiet           Only display container IDs
  -s, --size            Display total file sizes
"#;

/// `docker search --help`.
pub(super) const SEARCH: &str = r#"Usage:  docker search [OPTIONS] TERM

Search Docker Hub for images

Options:
  -f, --filter filter   Filter output based on conditions provided
      --format string   Pretty-print search using a Go template
      --limit int       Max number of search results
      --no-trunc        Don't truncate output
"#;

/// `docker pull --help`.
pub(super) const PULL: &str = r#"Usage:  docker pull [OPTIONS] NAME[:TAG|@DIGEST]

Download an image from a registry

Aliases:
  docker image pull, docker pull

Options:
  -a, --all-tags                Download all tagged images in the repository
      --disable-content-trust   Skip image verification (default true)
      --platform string         Set platform if server is multi-platform
                                capable
  -q, --quiet                   Suppress verbose output
"#;

/// `docker image pull --help`.
pub(super) const IMAGE_PULL: &str = r#"Usage:  docker image pull [OPTIONS] NAME[:TAG|@DIGEST]

Download an image from a registry

Aliases:
  docker image pull, docker pull

Options:
  -a, --all-tags                Download all tagged images in the repository
      --disable-content-trust   Skip image verification (default true)
      --platform string         Set platform if server is multi-platform
                                capable
  -q, --quiet                   Suppress verbose output
"#;

/// `docker commit --help`.
pub(super) const COMMIT: &str = r#"Usage:  docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]

Create a new image from a container's changes

Aliases:
  docker container commit, docker commit

Options:
  -a, --author string    Author (e.g., "John Hannibal Smith
                         <hannibal@a-team.com>")
  -c, --change list      Apply Dockerfile instruction to the created image
  -m, --message string   Commit message
  -p, --pause            Pause container during commit (default true)
"#;

/// `docker container commit --help`.
pub(super) const CONTAINER_COMMIT: &str = r#"Usage:  docker container commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]

Create a new image from a container's changes

Aliases:
  docker container commit, docker commit

Options:
  -a, --author string    Author (e.g., "John Hannibal Smith
                         <hannibal@a-team.com>")
  -c, --change list      Apply Dockerfile instruction to the created image
  -m, --message string   Commit message
  -p, --pause            Pause container during commit (default true)
"#;

/// `docker save --help`.
pub(super) const SAVE: &str = r#"Usage:  docker save [OPTIONS] IMAGE [IMAGE...]

Save one or more images to a tar archive (streamed to STDOUT by default)

Aliases:
  docker image save, docker save

Options:
  -o, --output string     Write to a file, instead of STDOUT
      --platform string   Save only the given platform variant. Formatted
                          as "os[/arch[/variant]]" (e.g., "linux/amd64")
"#;

/// `docker image save --help`.
pub(super) const IMAGE_SAVE: &str = r#"Usage:  docker image save [OPTIONS] IMAGE [IMAGE...]

Save one or more images to a tar archive (streamed to STDOUT by default)

Aliases:
  docker image save, docker save

Options:
  -o, --output string     Write to a file, instead of STDOUT
      --platform string   Save only the given platform variant. Formatted
                          as "os[/arch[/variant]]" (e.g., "linux/amd64")
"#;

/// `docker load --help`.
pub(super) const LOAD: &str = r#"Usage:  docker load [OPTIONS]

Load an image from a tar archive or STDIN

Aliases:
  docker image load, docker load

Options:
  -i, --input string      Read from tar archive file, instead of STDIN
      --platform string   Load only the given platform variant. Formatted
                          as "os[/arch[/variant]]" (e.g., "linux/amd64")
  -q, --quiet             Suppress the load output
"#;

/// `docker image load --help`.
pub(super) const IMAGE_LOAD: &str = r#"Usage:  docker image load [OPTIONS]

Load an image from a tar archive or STDIN

Aliases:
  docker image load, docker load

Options:
  -i, --input string      Read from tar archive file, instead of STDIN
      --platform string   Load only the given platform variant. Formatted
                          as "os[/arch[/variant]]" (e.g., "linux/amd64")
  -q, --quiet             Suppress the load output
"#;
