#!/bin/sh
# Cuts the baseline of a release: builds the bundles of the committed HEAD as release VERSION
# and puts every bundle that exports packages into baseline/repository (see README.md).
# Extra arguments go to mvn (-o, say).
set -eu
version=${1:?usage: baseline/cut.sh VERSION [mvn arguments]   e.g. baseline/cut.sh 0.3.0}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone -q "$root" "$work/src"
current=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$work/src/pom.xml" | head -n 1)
find "$work/src" -name pom.xml -exec sed -i "s|<version>$current</version>|<version>$version</version>|" {} +
# The API check is the everyday build's job; a release build only makes the jars.
(cd "$work/src" && mvn -B -q "$@" -f bundles/pom.xml package -Dmaven.test.skip=true -Dbnd.baseline.skip=true)

for jar in "$work"/src/bundles/*/target/*-"$version".jar; do
    mkdir -p "$work/manifest" && (cd "$work/manifest" && jar xf "$jar" META-INF/MANIFEST.MF)
    exports=$(grep -c '^Export-Package:' "$work/manifest/META-INF/MANIFEST.MF" || true)
    rm -rf "$work/manifest"
    [ "$exports" -gt 0 ] || continue
    artifact=$(basename "$jar" "-$version.jar")
    dir="$root/baseline/repository/dev/neep/$artifact/$version"
    mkdir -p "$dir"
    cp "$jar" "$dir/$artifact-$version.jar"
    cat > "$dir/$artifact-$version.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.neep</groupId>
  <artifactId>$artifact</artifactId>
  <version>$version</version>
  <description>Baseline only: the released bundle bnd compares later builds with</description>
</project>
POM
    for f in "$dir/$artifact-$version.jar" "$dir/$artifact-$version.pom"; do
        sha1sum "$f" | cut -d ' ' -f 1 > "$f.sha1"
    done
    echo "$artifact $version"
done
