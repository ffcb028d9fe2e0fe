/** Toolgate's public model and SPIs. Depends on nothing but Jackson databind. */
module io.toolgate.api {
  requires transitive com.fasterxml.jackson.databind;

  exports io.toolgate.api;
}
