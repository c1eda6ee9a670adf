import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaMajor, parseJavaVersion } from '../src/distribution/javaCheck.ts';
import { expectedKafkaJars, kafkaArtifacts } from '../src/distribution/kafkaDistribution.ts';
import {
  coordinates,
  dependenciesPom,
  downloadedBytes,
  localRepository,
  mavenError,
} from '../src/distribution/mavenFetch.ts';
import { registryArtifact } from '../src/distribution/registryDistribution.ts';

void describe('distribution fetch', () => {
  void it('given Maven download lines, then their sizes add up as progress; other lines count nothing', () => {
    assert.equal(
      downloadedBytes('[INFO] Downloaded from central: https://r/x.jar (1.5 MB at 3.1 MB/s)'),
      1_500_000,
    );
    assert.equal(
      downloadedBytes('Downloaded from central: https://r/x.pom (21 kB at 28 kB/s)'),
      21_000,
    );
    assert.equal(downloadedBytes('[INFO] Downloading from central: https://r/x.jar'), 0);
  });

  void it('given MAVEN_OPTS moving the local repository, then progress watches that folder', () => {
    assert.equal(localRepository('-Xmx1g -Dmaven.repo.local=/tmp/m2 -B'), '/tmp/m2');
    assert.match(localRepository(undefined), /\/\.m2\/repository$/);
  });

  void it('given a failed Maven run, then the first error is reduced to its cause', () => {
    const output = [
      '[INFO] Scanning',
      '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy (default-cli) on project standalone-pom: Could not find artifact x:y:1 in central -> [Help 1]',
      '[ERROR] more',
    ].join('\n');

    assert.equal(mavenError(output), 'Could not find artifact x:y:1 in central');
    assert.equal(mavenError('[INFO] fine'), undefined);
  });

  void it('given the registry tarball, then its coordinates carry type and classifier', () => {
    assert.equal(
      coordinates(registryArtifact('3.0.9')),
      'io.apicurio:apicurio-registry-app:3.0.9:tar.gz:all',
    );
  });

  void it('given the Kafka artifacts, then the generated pom lists each with its version and the broker jars are expected', () => {
    const pom = dependenciesPom(kafkaArtifacts('4.3.1'));

    assert.match(pom, /<artifactId>kafka_2\.13<\/artifactId>\s*<version>4\.3\.1<\/version>/);
    assert.match(pom, /<artifactId>kafka-tools<\/artifactId>/);
    assert.match(pom, /<artifactId>log4j-slf4j-impl<\/artifactId>/);
    assert.ok(expectedKafkaJars('4.3.1').includes('kafka-server-4.3.1.jar'));
  });

  void it('given java -version output, then the version and its major are read', () => {
    const version = parseJavaVersion(
      'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment',
    );

    assert.equal(version, '17.0.15');
    assert.equal(javaMajor('17.0.15'), 17);
    assert.equal(javaMajor('1.8.0_392'), 8);
    assert.equal(javaMajor('21'), 21);
  });
});
