// Voilà 0.5.13 (the latest release) bundles JupyterLab 4.2.5's core packages, while its own widget
// manager and jupyterlab_widgets were built against 4.5 and 4.6. Webpack's module federation then
// warns once for each shared @jupyterlab singleton ("Unsatisfied version 4.2.5 ... (required ^4.6.2)")
// and uses Voilà's copy, as it must: the widgets work (voila-dashboards/voila#1514, #1539). Those
// thirteen lines, and only those, are kept out of the console so that a warning there means something.
(function () {
  var warn = console.warn;
  var federation = /^(Unsatisfied version \S+ from _JUPYTERLAB\.CORE_OUTPUT of shared singleton module @jupyterlab\/[a-z-]+ \(required \^[\d.]+\)$|No satisfying version \(\^[\d.]+\) of shared module @jupyterlab\/[a-z-]+ found in shared scope default\.)/;
  console.warn = function () {
    if (arguments.length === 1 && typeof arguments[0] === "string" && federation.test(arguments[0])) return;
    return warn.apply(console, arguments);
  };
})();
