package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An uploaded file ({@code POST /realtime/binary}). To share it, publish a message whose
 * {@code data.file} is this record (Jackson writes it as {@code {id,url,contentType,filename,size}}).
 *
 * @param url the path to download it from, relative to the server ({@code /realtime/binary/{id}})
 */
public record FileRef(String id, String url, String contentType, String filename, long size) {
  static FileRef of(JsonNode json) {
    return new FileRef(Json.text(json, "id"), Json.text(json, "url"), Json.text(json, "contentType"),
        Json.text(json, "filename"), Json.number(json, "size"));
  }
}
