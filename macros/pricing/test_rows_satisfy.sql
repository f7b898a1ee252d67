{# Every row of the model satisfies the boolean SQL `expression` (configuration checks). #}
{% test rows_satisfy(model, expression) %}

select * from {{ model }}
where not ({{ expression }})

{% endtest %}
