{#- pandas' Styler table with a footnote beneath it (cxstats.display.show_table). -#}
{% extends "html_table.tpl" %}
{% block after_table %}
{% if footnote %}
<p class="cxstats-footnote" style="margin: 0.2em 0 1em 0; font-size: 90%; color: #444;">{{ footnote | e }}</p>
{% endif %}
{% endblock after_table %}
