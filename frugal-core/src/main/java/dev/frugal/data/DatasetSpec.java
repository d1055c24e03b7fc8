package dev.frugal.data;

import java.util.Objects;

/**
 * Everything frugal knows about one installable data set.
 *
 * @param name     its name
 * @param source   the registry package it comes from
 * @param manifest the files and checksums an installation must have
 * @param licence  the licence of the data, as the package states it
 */
public record DatasetSpec(DatasetName name, DatasetSource source, DatasetManifest manifest, String licence) {

    public DatasetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(licence, "licence");
    }
}
