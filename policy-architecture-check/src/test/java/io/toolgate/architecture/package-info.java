/** ArchUnit rules over every module's main classes: the engine's internals stay inside it, and the module arrows point one way. */
package io.toolgate.architecture;
